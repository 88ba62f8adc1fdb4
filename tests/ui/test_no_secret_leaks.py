"""No secret reaches the config dir, the logs or any repr after a session that triggers every error
path: a wrong secret, a key of another environment, an IP-whitelisted key, a failing account,
5xx, rate limits, malformed bodies, dropped connections and clock skew, plus connection tests."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from desktop_app.bybit.environments import custom
from desktop_app.domain.credentials import Credentials, KeyType, Secret
from desktop_app.domain.snapshot import AccountSpec
from desktop_app.exchange_sim import Simulator, make_demo_accounts
from desktop_app.storage.paths import AppPaths
from desktop_app.ui.accounts.edit_dialog import AccountDialog
from desktop_app.ui.accounts.list_dialog import AccountsDialog
from desktop_app.ui.app import build_window
from desktop_app.ui.context import load_context, spec_for
from tests.ui.recorder import Recorder

WAIT_MS = 30_000
WRONG_SECRET = "wrong-secret-ABCDEFGHIJKLMNOPQRSTUV"


def _is_rest(update: object) -> bool:
    """A REST refresh, not a snapshot repriced from streamed prices between polls."""
    return not update.report.repriced  # type: ignore[attr-defined]


def _secret_fragments(accounts) -> list[str]:
    """Every secret, and for PEM keys each base64 line (a leaked line is a leaked key)."""
    fragments = [WRONG_SECRET]
    for account in accounts:
        if account.key_type == "rsa":
            lines = account.api_secret.splitlines()
            fragments += [line for line in lines if len(line) > 20 and "-" not in line]
        else:
            fragments.append(account.api_secret)
    return fragments


def test_no_secret_in_files_logs_or_reprs(qtbot, memory_keyring, tmp_path: Path, caplog,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)
    demo = make_demo_accounts(5)
    bound = replace(demo[0], name="Bound", uid=100_000_901, api_key="BOUNDKEY0000000001",
                    api_secret="bound-secret-0123456789abcdefghijklmn", ip_whitelist=("203.0.113.9",))
    accounts = (*demo, bound)
    with Simulator(seed=7, realtime=False, accounts=accounts) as sim:
        # Configure the accounts the normal way: metadata to accounts.json, secrets to the keyring.
        context = load_context(AppPaths.portable(tmp_path))
        manager = AccountsDialog(context)
        qtbot.addWidget(manager)
        for account in accounts:
            def fill(self: AccountDialog, account=account) -> int:
                self.name_edit.setText(account.name)
                self.env_box.setCurrentIndex(self.env_box.count() - 1)  # Custom URL
                self.url_edit.setText(sim.base_url)
                self.key_edit.setText(account.api_key)
                if account.key_type == "rsa":
                    key_file = tmp_path.parent / f"{account.uid}.pem"  # outside the config dir
                    key_file.write_text(account.api_secret)
                    self.key_type_box.setCurrentIndex(1)
                    self.rsa_edit.setText(str(key_file))
                else:
                    self.secret_edit.setText(account.api_secret)
                self.accept()
                return QDialog.DialogCode.Accepted
            monkeypatch.setattr(AccountDialog, "exec", fill)
            manager.add_account()
        assert len(context.store.accounts) == len(accounts)  # type: ignore[union-attr]

        window = build_window(context, start=False)
        qtbot.addWidget(window)
        window.show()
        with qtbot.waitSignal(window.sig_update_rendered, timeout=WAIT_MS) as blocker:
            window.host.start()
        updates = [blocker.args[0]]
        bound_state = next(a for a in updates[0].snapshot.accounts if a.name == "Bound")
        assert bound_state.error is not None and "whitelist" in bound_state.error

        snapshots = Recorder(window.host.worker.sig_snapshot)
        connections = Recorder(window.host.worker.sig_connection)
        sim.faults.fail_uids.add(demo[1].uid)
        for fault, value in (("error_rate_5xx", 0.3), ("error_rate_10006", 0.3), ("malformed_rate", 0.3),
                             ("clock_skew_ms", 20_000)):
            setattr(sim.faults, fault, value)
            updates.append(snapshots.next_item(qtbot, window.host.worker.refresh_now, _is_rest,
                                               timeout_ms=WAIT_MS))
            setattr(sim.faults, fault, 0 if fault == "clock_skew_ms" else 0.0)
        sim.faults.timeout_mode = "close"
        sim.faults.timeout_rate = 0.5
        updates.append(snapshots.next_item(qtbot, window.host.worker.refresh_now, _is_rest,
                                           timeout_ms=WAIT_MS))
        sim.faults.timeout_rate = 0.0
        errors = {a.error for u in updates for a in u.snapshot.accounts if a.error}
        assert len(errors) >= 3  # several distinct failure messages were produced

        # Connection tests: good key, wrong secret, wrong environment, whitelisted IP.
        store = context.store
        assert store is not None
        main_spec = spec_for(store.accounts[0], context.secrets)
        bad = AccountSpec("x", "Wrong", custom(sim.base_url),
                          Credentials(demo[0].api_key, Secret(WRONG_SECRET)))
        outcomes = []
        bound_spec = spec_for(store.accounts[-1], context.secrets)
        for i, spec in enumerate((main_spec, bad, bound_spec)):
            outcomes.append(connections.next_item(
                qtbot, lambda i=i, spec=spec: window.host.worker.test_connection(100 + i, spec),
                timeout_ms=WAIT_MS))
        assert outcomes[0].error is None
        assert "signature rejected" in outcomes[1].error
        assert "whitelist" in outcomes[2].error
        window.close()

    secrets = _secret_fragments(accounts)
    texts = {"log": caplog.text}
    for path in tmp_path.rglob("*"):
        if path.is_file():
            texts[str(path)] = path.read_text(errors="replace")
    assert any(name.endswith("accounts.json") for name in texts)
    for update in updates:
        texts[f"repr {update.snapshot.taken_at}"] = repr(update) + str(update)
    texts["outcomes"] = repr(outcomes) + "".join(str(o.error) for o in outcomes)
    texts["specs"] = repr(main_spec) + repr(bad) + repr(bound_spec) + repr(store.accounts)
    for where, text in texts.items():
        for secret in secrets:
            assert secret not in text, f"a secret leaked into {where}"
    # The secrets are where they belong: the keyring.
    stored = set(memory_keyring.entries.values())
    assert {a.api_secret for a in accounts} <= stored
    assert KeyType.RSA.value in {a.key_type for a in accounts}
