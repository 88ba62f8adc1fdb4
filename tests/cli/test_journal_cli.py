"""`riskdesk-cli journal` end to end against the simulator, in process: the issue's JSON names, figures
equal to the simulator's own ledger, exit codes 0 / 3 / 2, and no secret in any output."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from desktop_app.cli import main
from desktop_app.commands import journal as journal_command
from desktop_app.exchange_sim import Simulator
from desktop_app.storage.history_schema import HistoryError, migrate
from desktop_app.storage.journal_cache import JournalCache
from tests.journal_sync.oracle import DAY, expected, usd
from tests.sim_fixtures import SIM_SEED, SIM_START_MS

FIGURES = {"trades", "wins", "losses", "win_rate", "profit_factor", "realised_pnl_usd", "funding_usd",
           "net_pnl_usd", "max_drawdown_usd", "by_symbol", "funding_next_24h_usd"}
D = Decimal


@pytest.fixture
def sim() -> Iterator[Simulator]:
    # The journal's "now" is the exchange's clock: this simulator's is its price clock, frozen at its
    # start, and the command's own clock runs from it too.
    with Simulator(seed=SIM_SEED, realtime=False, start_ms=SIM_START_MS, server_clock="price") as simulator:
        yield simulator


@pytest.fixture(autouse=True)
def _journal_clock(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal_command, "now_ms", sim.now_ms)


def journal_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any], str]:
    code = main(["journal", "--json", *argv])
    captured = capsys.readouterr()
    return code, json.loads(captured.out, parse_float=Decimal), captured.err


def assert_total_over_synced_accounts(doc: dict[str, Any]) -> None:
    """The total adds up the accounts synced now; with none synced it holds no figures (never zeros)."""
    synced = [a for a in doc["accounts"] if a["ok"]]
    if synced:
        assert doc["total"]["trades"] == sum(a["trades"] for a in synced)
    else:
        assert all(value is None for value in doc["total"].values())


def test_json_has_the_issues_names_and_the_ledgers_figures(
    sim: Simulator, accounts_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc, err = journal_json(capsys, "--accounts", str(accounts_file), "--days", "7")
    assert code == 0 and err == ""
    assert set(doc) == {"accounts", "total"}
    assert [a["name"] for a in doc["accounts"]] == ["Main", "Isolated", "Portfolio", "Classic", "Hedge"]
    assert all(set(a) == {"name", "ok", "error"} | FIGURES for a in doc["accounts"])
    assert set(doc["total"]) == FIGURES
    now = sim.now_ms()
    for account in doc["accounts"]:
        assert account["ok"] is True and account["error"] is None
        want = expected(sim, sim.account(account["name"]), now - 7 * DAY, now)
        counts = (account["trades"], account["wins"], account["losses"])
        assert counts == (want.trades, want.wins, want.losses)
        assert D(str(account["realised_pnl_usd"])) == want.realised.quantize(D("1e-8"))
        assert D(str(account["funding_usd"])) == want.funding.quantize(D("1e-8"))
        assert D(str(account["max_drawdown_usd"])) == want.drawdown.quantize(D("1e-8"))
        assert all(set(s) == {"symbol", "trades", "realised_pnl_usd"} for s in account["by_symbol"])
    total = doc["total"]
    assert total["trades"] == sum(a["trades"] for a in doc["accounts"])
    assert D(str(total["realised_pnl_usd"])) == sum((D(str(a["realised_pnl_usd"])) for a in doc["accounts"]),
                                                    D(0))
    # The total's drawdown is taken on every account's trades merged in time order.
    trips = [t for a in sim.accounts for t in sim.ledgers.ledger(a).trips_between(now - 7 * DAY, now, now)]
    cumulative = peak = drawdown = D(0)
    for trip in sorted(trips, key=lambda t: t.close_ms):
        cumulative += usd(sim, trip.closed_pnl, trip.instrument.settle_coin, trip.symbol, trip.close_ms)
        peak = max(peak, cumulative)
        drawdown = max(drawdown, peak - cumulative)
    assert len(trips) == total["trades"]
    assert D(str(total["max_drawdown_usd"])) == drawdown.quantize(D("1e-8"))


def test_one_failing_account_exits_3_with_null_figures(
    sim: Simulator, accounts_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim.faults.fail(sim.account("Isolated").uid)
    code, doc, _ = journal_json(capsys, "--accounts", str(accounts_file), "--days", "3")
    assert code == 3
    accounts = {a["name"]: a for a in doc["accounts"]}
    failed = accounts["Isolated"]
    assert failed["ok"] is False and failed["error"].startswith("[10016] ")
    assert all(failed[key] is None for key in FIGURES)              # never zeros
    assert_total_over_synced_accounts(doc)


def test_readable_journal_and_bad_arguments(
    sim: Simulator, accounts_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["journal", "--accounts", str(accounts_file), "--days", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Journal of the last 2 days (") and "\nTotal " in out and "By symbol" in out
    for days in ("0", "730", "x"):
        with pytest.raises(SystemExit) as exit_info:
            main(["journal", "--accounts", str(accounts_file), "--days", days])
        assert exit_info.value.code == 2
        assert "--days" in capsys.readouterr().err
    assert main(["journal", "--accounts", str(tmp_path / "missing.json")]) == 2
    assert capsys.readouterr().err.startswith("riskdesk-cli: error: cannot read accounts file")
    secrets = [a.api_secret for a in sim.accounts]
    main(["journal", "--json", "--accounts", str(accounts_file), "--days", "1"])
    printed = capsys.readouterr()
    assert not any(s in printed.out or s in printed.err for s in secrets)


def full_cache() -> JournalCache:
    """A cache on a disk that is full: it cannot grow by a page."""
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    migrate(conn)
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    return JournalCache(conn)


def test_a_full_disk_is_each_accounts_error_on_one_line_and_exit_3(
    accounts_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A week of Main's funding (8 positions, 3 settlements a day) never fits in a full database; a small
    # window of another account may still fit in a page's free space, as on a real full disk.
    full = "Cannot write the journal cache: database or disk is full"
    monkeypatch.setattr(journal_command, "_open_cache", lambda args: full_cache())
    assert main(["journal", "--accounts", str(accounts_file), "--days", "7"]) == 3
    out, err = capsys.readouterr()
    assert err == ""
    lines = {line.split()[0]: line for line in out.splitlines()[4:9]}
    assert f"Main       FAILED: {full} " in lines["Main"]
    assert all(f"FAILED: {full} " in line or " ok " in line for line in lines.values())
    monkeypatch.setattr(journal_command, "_open_cache", lambda args: full_cache())
    code, doc, err = journal_json(capsys, "--accounts", str(accounts_file), "--days", "7")
    assert code == 3 and err == ""
    assert doc["accounts"][0]["error"] == full and {a["error"] for a in doc["accounts"]} <= {full, None}
    assert_total_over_synced_accounts(doc)


def test_no_journal_at_all_is_one_line_and_exit_1(
    accounts_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise HistoryError("The history database /x/history.sqlite3 cannot be used: disk I/O error")

    monkeypatch.setattr(journal_command, "sync", broken)
    assert main(["journal", "--accounts", str(accounts_file)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == ("riskdesk-cli: error: no journal (HistoryError: The history database "
                                 "/x/history.sqlite3 cannot be used: disk I/O error)\n")
