"""SelfTest's verdicts: a stream that is still retrying while REST works is no failure, accounts
still waiting for their first answer are waited for, and a failed account or refresh fails it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from desktop_app.domain.snapshot import PENDING
from desktop_app.ui import self_test as self_test_module
from desktop_app.ui.self_test import SelfTest
from desktop_app.ui.worker.messages import REFRESH, STREAM, WorkerError
from tests.ui.factories import NOW, failed, hedge_state, main_state, make_update
from tests.ui.test_main_window_alerts import make_window


@pytest.fixture
def exits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    codes: list[int] = []
    monkeypatch.setattr(self_test_module.QCoreApplication, "exit", staticmethod(codes.append))
    return codes


def _start(qtbot, tmp_path: Path) -> tuple[object, object, SelfTest]:  # type: ignore[no-untyped-def]
    window, host = make_window(qtbot, tmp_path)
    window.show()
    return window, host, SelfTest(window, account_count=2, timeout_s=10)


def _render(window, update) -> None:  # type: ignore[no-untyped-def]
    window.on_update(update)
    window.render_tables()


def test_a_retrying_stream_is_no_failure_and_waiting_accounts_are_waited_for(
    qtbot, tmp_path: Path, exits: list[int], capsys: pytest.CaptureFixture[str]  # type: ignore[no-untyped-def]
) -> None:
    window, host, test = _start(qtbot, tmp_path)
    host.worker.sig_error.emit(WorkerError("Stream for Main: InvalidStatus (retrying in 2 s)", NOW, STREAM))
    waiting = replace(hedge_state(), data=None, error="waiting for the first answer", error_code=PENDING)
    _render(window, make_update((main_state(), waiting)))
    assert test.exit_code is None and exits == []  # Main answered, Hedge has not yet
    _render(window, make_update(taken_at=NOW + 1))
    assert test.exit_code == 0 and exits == [0]
    assert capsys.readouterr().out.startswith("self-test ok: 2 accounts, 3 positions; keyring: ")


def test_a_failed_account_fails_it(qtbot, tmp_path: Path, exits: list[int]) -> None:  # type: ignore[no-untyped-def]
    window, _host, test = _start(qtbot, tmp_path)
    _render(window, make_update((main_state(), failed(hedge_state()))))
    assert test.exit_code == 1
    assert test.line == "self-test failed: 1 of 2 accounts failed (Hedge: [10003] API key is invalid.)"


def test_a_failed_refresh_fails_it(qtbot, tmp_path: Path, exits: list[int]) -> None:  # type: ignore[no-untyped-def]
    _window, host, test = _start(qtbot, tmp_path)
    host.worker.sig_error.emit(WorkerError("RuntimeError: boom", NOW, REFRESH))
    assert test.exit_code == 1 and test.line == "self-test failed: RuntimeError: boom"
