"""The worker and the window against the simulator: a complete first update, a failing account
shown stale (last good data greyed, with age and error), and connection tests with the client's
messages. Network is loopback only."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt

from desktop_app.bybit.environments import custom
from desktop_app.domain.credentials import Credentials, KeyType, Secret
from desktop_app.domain.snapshot import AccountSpec
from desktop_app.storage.paths import AppPaths
from desktop_app.ui.app import build_window
from desktop_app.ui.context import demo_context
from desktop_app.ui.demo import sim_account_specs
from desktop_app.ui.format import stale_colour
from desktop_app.ui.worker.host import WorkerHost

WAIT_MS = 20_000


def test_worker_emits_a_complete_update(qtbot, sim) -> None:
    specs = sim_account_specs(sim)
    host = WorkerHost(specs, interval_s=3600)
    # Accounts are published as they answer; the poll's last answer completes the picture.
    with qtbot.waitSignal(host.worker.sig_snapshot, timeout=WAIT_MS,
                          check_params_cb=lambda u: u.snapshot.complete) as blocker:
        host.start()
    update = blocker.args[0]
    assert host.shutdown()
    assert update.snapshot.complete
    assert [a.name for a in update.snapshot.accounts] == [a.name for a in sim.accounts]
    # Every position the simulator holds (its own records, not the client's parse) is in the report.
    held = sorted((a.name, p.symbol, p.position_idx) for a in sim.accounts for p in a.positions)
    shown = sorted((p.account, p.symbol, p.position_idx) for p in update.report.positions)
    assert shown == held


def test_the_settings_var_levels_and_retention_reach_the_windows_worker(qtbot, sim, tmp_path: Path) -> None:
    """The window builds its worker with the settings file's VaR levels, horizon and retention."""
    context = demo_context(AppPaths.portable(tmp_path), sim_account_specs(sim))
    context.settings = dataclasses.replace(context.settings, var_confidence_levels=(0.975,),
                                           var_horizon_days=10, history_retention_days=30)
    window = build_window(context, start=False)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.host.worker.sig_snapshot, timeout=WAIT_MS,
                          check_params_cb=lambda u: u.snapshot.complete) as blocker:
        window.host.start()
    runner = window.host.worker._runner
    assert runner is not None and runner.session is not None
    qtbot.waitUntil(lambda: runner.session.history is not None, timeout=WAIT_MS)  # opens on a thread
    retention = runner.session.history.retention_days
    assert window.host.shutdown()
    assert [(v.confidence, v.horizon_days) for v in blocker.args[0].report.var] == [(0.975, 10)]
    assert retention == 30


def test_failing_account_is_shown_stale_with_age_and_error(qtbot, sim, tmp_path: Path) -> None:
    window = build_window(demo_context(AppPaths.portable(tmp_path), sim_account_specs(sim)), start=False)
    qtbot.addWidget(window)
    window.show()
    hedge = sim.account("Hedge")
    hedge_id = f"demo-{hedge.uid}"

    def hedge_state(update):
        return next((a for a in update.snapshot.accounts if a.account_id == hedge_id), None)

    with qtbot.waitSignal(window.sig_update_rendered, timeout=WAIT_MS,
                          check_params_cb=lambda u: u.snapshot.complete) as blocker:
        window.host.start()
    good = hedge_state(blocker.args[0])
    sim.faults.fail_uids.add(hedge.uid)
    # Repriced updates from streamed marks render too; wait for the REST refresh that failed.
    def failed_refresh(update) -> bool:
        return not update.report.repriced and not hedge_state(update).ok

    with qtbot.waitSignal(window.sig_update_rendered, timeout=WAIT_MS,
                          check_params_cb=failed_refresh) as blocker:
        window.host.worker.refresh_now()
    state = hedge_state(blocker.args[0])
    assert not state.ok and not state.pending
    assert state.data == good.data  # the last good data, not zeros
    assert state.error and "10016" in state.error
    model = window.portfolio.accounts_model
    row = [model.row_at(i).account_id for i in range(model.rowCount())]
    index = row.index(hedge_id)
    assert model.index(index, 1).data().startswith("Stale · ")
    assert model.index(index, 2).data() != "$0.00"
    assert model.index(index, 2).data(Qt.ItemDataRole.ForegroundRole) == stale_colour()
    label = window.status.accounts_label
    assert label.text().startswith("● Hedge stale")
    assert "10016" in label.toolTip()
    window.close()
    assert not window.host.running


def _spec(sim, name: str, *, api_key: str | None = None, secret: str | None = None) -> AccountSpec:
    account = sim.account(name)
    credentials = Credentials(api_key or account.api_key, Secret(secret or account.api_secret),
                              KeyType(account.key_type))
    return AccountSpec(f"t-{name}", name, custom(sim.base_url), credentials)


def _test(qtbot, host: WorkerHost, request_id: int, spec: AccountSpec):
    with qtbot.waitSignal(host.worker.sig_connection, timeout=WAIT_MS) as blocker:
        host.worker.test_connection(request_id, spec)
    outcome = blocker.args[0]
    assert outcome.request_id == request_id
    return outcome


def test_connection_tests_against_the_simulator(qtbot, sim) -> None:
    host = WorkerHost((), interval_s=3600)
    host.start()
    try:
        ok = _test(qtbot, host, 1, _spec(sim, "Hedge"))
        assert ok.error is None
        # The demo's Hedge key can trade and withdraw (accounts.py says so): both must be flagged.
        assert ok.report.key.can_trade and ok.report.key.can_withdraw
        bad_secret = _test(qtbot, host, 2, _spec(sim, "Main", secret="0" * 36))
        assert "signature rejected" in bad_secret.error
        wrong_env = _test(qtbot, host, 3, _spec(sim, "Main", api_key="NOTAKEYOFTHISHOST1"))
        assert "another environment" in wrong_env.error
        sim.faults.clock_skew_ms = 30_000
        skewed = _test(qtbot, host, 4, _spec(sim, "Main"))
        # The client re-syncs to the server clock; the report says how far off this computer is.
        assert skewed.error is None
        assert abs(abs(skewed.report.clock_offset_ms) - 30_000) < 2_000
    finally:
        assert host.shutdown()
