"""Rule details the life-cycle test does not cover: which subjects a rule reads, unknown values,
subjects that disappear, messages, and the engine's bookkeeping (peak, first-seen, clock, order)."""

from __future__ import annotations

from datetime import datetime

from desktop_app.alerts import AlertConfig, AlertEngine, EventKind, Severity
from desktop_app.domain.account import AccountInfo, MarginMode, Wallet
from desktop_app.domain.snapshot import AccountData, AccountState, PortfolioSnapshot
from desktop_app.risk.results import Hedge
from tests.alerts import factories as f
from tests.alerts.test_engine_cycle import key_info

T = f.NOW


def kinds(events: tuple) -> list[tuple[str, str, EventKind, Severity]]:
    return [(e.rule, e.subject, e.kind, e.severity) for e in events]


def test_mm_rate_message_and_which_accounts_count() -> None:
    engine = AlertEngine(f.only("mm_rate"), poll_interval_s=5)
    accounts = [
        f.account("Hedge", mm_rate=0.82),
        f.account("Old", mm_rate=0.95, classic=True),  # classic: liquidation is per position
        f.account("Iso", mm_rate=0.95, mode="ISOLATED_MARGIN"),
        f.account("PM", mm_rate=0.51, mode="PORTFOLIO_MARGIN"),
    ]
    events = engine.evaluate(f.report(accounts), None, T)
    assert kinds(events) == [("mm_rate", "Hedge", EventKind.RAISED, Severity.CRITICAL),
                             ("mm_rate", "PM", EventKind.RAISED, Severity.WARNING)]
    assert events[0].message == "Hedge: MM rate 82.00% — liquidation at 100%"
    assert events[0].value == 0.82 and events[0].threshold == 0.80


def test_unknown_value_keeps_the_alert_and_a_removed_account_clears_it() -> None:
    engine = AlertEngine(f.only("mm_rate"), poll_interval_s=5)
    engine.evaluate(f.report([f.account("Hedge", mm_rate=0.6)]), None, T)
    assert engine.evaluate(f.report([f.account("Hedge", mm_rate=None)]), None, T + 5) == ()
    assert engine.worst_severity() is Severity.WARNING
    events = engine.evaluate(f.report([f.account("Main")]), None, T + 10)
    assert kinds(events) == [("mm_rate", "Hedge", EventKind.CLEARED, Severity.WARNING)]
    assert events[0].value is None
    assert events[0].message.startswith("No longer applies: Hedge: MM rate 60.00%")


def test_liq_distance_per_leg_and_closed_position_clears() -> None:
    engine = AlertEngine(f.only("liq_distance"), poll_interval_s=5)
    legs = [f.position("Main", side="long", liq_distance=0.042, mark=20_000, liq=19_160, idx=1),
            f.position("Main", side="short", liq_distance=0.30, idx=2),
            f.position("Main", "ETHUSDT", liq_distance=None)]  # no liquidation price: nothing to say
    events = engine.evaluate(f.report([f.account("Main")], legs), None, T)
    assert kinds(events) == [("liq_distance", "Main/BTCUSDT/long", EventKind.RAISED, Severity.CRITICAL)]
    assert events[0].message == ("Main BTCUSDT long: 4.2% from liquidation "
                                 "(mark 20,000, liquidation 19,160)")
    events = engine.evaluate(f.report([f.account("Main")], legs[1:]), None, T + 5)
    assert kinds(events) == [("liq_distance", "Main/BTCUSDT/long", EventKind.CLEARED, Severity.CRITICAL)]


def test_first_liquidation_message_and_none_clears_only_with_data() -> None:
    engine = AlertEngine(f.only("first_liquidation"), poll_interval_s=5)
    events = engine.evaluate(f.report([f.account("Main")], first_liquidation=f.first_liq(-0.084)), None, T)
    assert events[0].message == "First liquidation at a 8.4% move: BTC −8.4% → Hedge liquidated"
    assert events[0].severity is Severity.WARNING  # 8.4 % > 8 % critical, ≤ 15 % warning
    no_data = f.report([f.account("Main", equity=None)])
    assert engine.evaluate(no_data, None, T + 5) == ()  # unknown: stays raised
    events = engine.evaluate(f.report([f.account("Main")]), None, T + 10)  # nothing liquidates any more
    assert kinds(events) == [("first_liquidation", "portfolio", EventKind.CLEARED, Severity.WARNING)]


def test_drawdown_peak_restarts_when_the_accounts_in_the_total_change() -> None:
    engine = AlertEngine(f.only("drawdown"), poll_interval_s=5)
    both = [f.account("A", equity=50_000.0), f.account("B", equity=50_000.0)]
    assert engine.evaluate(f.report(both), None, T) == ()
    # B has no data at all: total 50,000 is not comparable with the 100,000 peak.
    assert engine.evaluate(f.report(both[:1], missing=1), None, T + 5) == ()
    # B removed: the peak restarts at 50,000, so no 50 % "drawdown".
    assert engine.evaluate(f.report(both[:1]), None, T + 10) == ()
    # 50,000 → 47,000 is a fall of 3,000 / 50,000 = 6 % ≥ 5 %.
    events = engine.evaluate(f.report([f.account("A", equity=47_000.0)]), None, T + 15)
    assert kinds(events) == [("drawdown", "portfolio", EventKind.RAISED, Severity.WARNING)]
    assert events[0].message == "Total equity down 6.0% from its session peak ($50,000 → $47,000)"
    engine.reset_session()
    events = engine.evaluate(f.report([f.account("A", equity=47_000.0)]), None, T + 20)
    assert kinds(events) == [("drawdown", "portfolio", EventKind.CLEARED, Severity.WARNING)]


def test_concentration_message_and_no_exposure_clears() -> None:
    engine = AlertEngine(f.only("concentration"), poll_interval_s=5)
    # BTC 7,200 of 10,000 gross = 72 %.
    events = engine.evaluate(f.report([f.account("Main")], exposure=[f.coin("BTC", 6_000, 1_200),
                                                                     f.coin("ETH", 2_800)]), None, T)
    assert kinds(events) == [("concentration", "BTC", EventKind.RAISED, Severity.WARNING)]
    assert events[0].message == "BTC is 72.0% of gross exposure ($7,200 of $10,000)"
    events = engine.evaluate(f.report([f.account("Main")]), None, T + 5)
    assert kinds(events) == [("concentration", "BTC", EventKind.CLEARED, Severity.WARNING)]


def test_cross_account_hedge_is_info_once_and_same_account_legs_are_not_reported() -> None:
    engine = AlertEngine(f.only("hedge"), poll_interval_s=5)
    own_legs = Hedge("ETH", ("Main",), ("Main",), 1_000.0)
    cross = Hedge("BTC", ("Main",), ("Hedge",), 12_000.0)
    events = engine.evaluate(f.report([f.account("Main")], hedges=[own_legs, cross]), None, T)
    assert kinds(events) == [("hedge", "BTC", EventKind.RAISED, Severity.INFO)]
    assert events[0].message == "Cross-account hedge on BTC: long in Main, short in Hedge ($12,000 offset)"
    assert engine.evaluate(f.report([f.account("Main")], hedges=[cross]), None, T + 5) == ()
    assert engine.worst_severity() is Severity.INFO
    events = engine.evaluate(f.report([f.account("Main")]), None, T + 10)
    assert kinds(events) == [("hedge", "BTC", EventKind.CLEARED, Severity.INFO)]
    assert engine.evaluate(f.report([f.account("Main")], hedges=[cross]), None, T + 20) == ()  # cool-down
    events = engine.evaluate(f.report([f.account("Main")], hedges=[cross]), None, T + 310)
    assert kinds(events) == [("hedge", "BTC", EventKind.RAISED, Severity.INFO)]


def _state(name: str, fetched_at: float | None, error: str | None) -> AccountState:
    data = None
    if fetched_at is not None:
        info = AccountInfo(unified_margin_status=5, margin_mode=MarginMode.CROSS, is_master_trader=False,
                           updated_ms=None)
        wallet = Wallet("UNIFIED", None, None, None, None, None, None, None, None, None)
        data = AccountData(info=info, wallet=wallet, positions=(), fetched_at=fetched_at)
    return AccountState(name.lower(), name, data, error, None, fetched_at or T)


def test_stale_uses_the_snapshot_age_and_counts_never_fetched_accounts_from_first_sight() -> None:
    engine = AlertEngine(f.only("stale"), poll_interval_s=10)
    accounts = [f.account("Main", stale=True), f.account("New", equity=None, age_s=None, stale=True)]
    states = (_state("Main", T - 20, "timeout\nafter 10 s"), _state("New", None, "10003"))
    snap = PortfolioSnapshot(T, states)
    assert engine.evaluate(f.report(accounts), snap, T) == ()  # Main 2 intervals old; New just seen
    snap = PortfolioSnapshot(T + 31, states)
    events = engine.evaluate(f.report(accounts), snap, T + 31)
    # Main: (T+31) − (T−20) = 51 s = 5.1 intervals; New: 31 s since first seen = 3.1 intervals.
    assert kinds(events) == [("stale", "Main", EventKind.RAISED, Severity.WARNING),
                             ("stale", "New", EventKind.RAISED, Severity.WARNING)]
    assert events[0].value == 5.1
    assert events[0].message == "Main: data 51 s old (5 refresh intervals) — last error: timeout after 10 s"
    assert events[1].message == "New: no data yet after 31 s — last error: 10003"
    snap = PortfolioSnapshot(T + 40, (_state("Main", T + 39, None), _state("New", None, "10003")))
    events = engine.evaluate(f.report(accounts), snap, T + 40)
    assert kinds(events) == [("stale", "Main", EventKind.CLEARED, Severity.WARNING)]


def test_api_key_expiry_sources() -> None:
    engine = AlertEngine(f.only("api_key_expiry"), poll_interval_s=5)
    # naive expiry = UTC; T = 2023-11-14 22:13:20 UTC, so 2023-11-17 22:13:20 is 3 days later.
    engine.set_api_key_info("main", key_info(datetime(2023, 11, 17, 22, 13, 20)))
    engine.set_api_key_info("sub", key_info(None, deadline_day=5))
    engine.set_api_key_info("forever", key_info(None, deadline_day=-2))
    engine.set_api_key_info("gone", key_info(None, deadline_day=1))  # not in the report: skipped
    accounts = [f.account("Main"), f.account("Sub"), f.account("Forever")]
    events = engine.evaluate(f.report(accounts), None, T)
    assert [(e.subject, e.value, e.severity) for e in events] == [("Main", 3.0, Severity.WARNING),
                                                                  ("Sub", 5.0, Severity.WARNING)]
    assert events[0].message == ("Main: API key expires in 3 days — create a new read-only key in Bybit's "
                                 "API management")
    engine.set_api_key_info("main", None)
    assert kinds(engine.evaluate(f.report(accounts), None, T + 1)) == [
        ("api_key_expiry", "Main", EventKind.CLEARED, Severity.WARNING)]


def test_active_worst_first_clock_injection_repriced_and_disabling_a_rule() -> None:
    clock_values = iter([T, T + 5])
    engine = AlertEngine(AlertConfig(), poll_interval_s=5, clock=lambda: next(clock_values))
    report = f.report([f.account("Hedge", mm_rate=0.55)], [f.position("Hedge", liq_distance=0.04)],
                      exposure=[f.coin("BTC", 5_000), f.coin("ETH", 5_000)], repriced=True)
    events = engine.evaluate(report)  # no now_s: the injected clock
    assert {e.time_s for e in events} == {T}
    assert [(a.rule, a.severity) for a in engine.active()] == [("liq_distance", Severity.CRITICAL),
                                                               ("mm_rate", Severity.WARNING)]
    assert engine.worst_severity() is Severity.CRITICAL
    engine.set_config(f.only("mm_rate"))
    events = engine.evaluate(report)
    assert kinds(events) == [("liq_distance", "Hedge/BTCUSDT/long", EventKind.CLEARED, Severity.CRITICAL)]
    assert events[0].time_s == T + 5
