"""The journal's figures against examples worked by hand (the arithmetic is in the comments)."""

from __future__ import annotations

from decimal import Decimal

from desktop_app.domain.journal import SymbolFigures
from desktop_app.journal import journal_figures, max_drawdown_usd, total_figures
from desktop_app.journal.figures import AccountEvents
from tests.journal.factories import funding, trade

D = Decimal


def test_one_account_worked_example() -> None:
    # Closes in time order: +100, -50, +30, -80, +40 (USD); funding settlements -3.50 and +1.25.
    trades = [trade(1000, "100", symbol="BTCUSDT"), trade(2000, "-50", symbol="ETHUSDT"),
              trade(3000, "30", symbol="BTCUSDT"), trade(4000, "-80", symbol="SOLUSDT"),
              trade(5000, "40", symbol="ETHUSDT")]
    # Handed over out of order: the figures must walk them by time.
    figures = journal_figures(reversed(trades), [funding(1500, "-3.50"), funding(4500, "1.25")],
                              funding_next_24h_usd=D("-7"))
    assert (figures.trades, figures.wins, figures.losses) == (5, 3, 2)
    assert figures.win_rate == D("0.6")                                      # 3 / 5
    # Profit factor: (100 + 30 + 40) / |-50 - 80| = 170 / 130 = 1.307692...
    assert figures.profit_factor == D(170) / D(130)
    assert figures.realised_pnl_usd == D("40")                               # 100 - 50 + 30 - 80 + 40
    assert figures.funding_usd == D("-2.25")                                 # -3.50 + 1.25
    assert figures.net_pnl_usd == D("37.75")                                 # 40 - 2.25
    # Cumulative 100, 50, 80, 0, 40; running peak 100 throughout; falls 0, 50, 20, 100, 60 -> 100.
    assert figures.max_drawdown_usd == D("100")
    assert figures.funding_next_24h_usd == D("-7")
    # By symbol, largest |realised| first: BTC 100 + 30 = 130; SOL -80; ETH -50 + 40 = -10.
    assert figures.by_symbol == (SymbolFigures("BTCUSDT", 2, D("130")), SymbolFigures("SOLUSDT", 1, D("-80")),
                                 SymbolFigures("ETHUSDT", 2, D("-10")))


def test_no_trades_and_no_losses_give_none_not_zero() -> None:
    empty = journal_figures([], [funding(1, "-2")])
    assert (empty.trades, empty.win_rate, empty.profit_factor) == (0, None, None)
    assert (empty.realised_pnl_usd, empty.funding_usd, empty.net_pnl_usd) == (D(0), D(-2), D(-2))
    assert empty.max_drawdown_usd == D(0) and empty.by_symbol == ()
    # Two wins and a flat close: 3 trades, 2 wins, 0 losses; win rate 2/3; no losses -> no profit factor.
    only_wins = journal_figures([trade(1, "5"), trade(2, "0"), trade(3, "7")], [])
    assert (only_wins.trades, only_wins.wins, only_wins.losses) == (3, 2, 0)
    assert only_wins.win_rate == D(2) / D(3) and only_wins.profit_factor is None
    # All losses: profit factor 0 / 30 = 0 (a number: there were losses).
    assert journal_figures([trade(1, "-10"), trade(2, "-20")], []).profit_factor == D(0)


def test_drawdown_starts_from_zero() -> None:
    # -10, +5, -20: cumulative -10, -5, -25; the peak is the starting 0, so the fall is 25.
    assert max_drawdown_usd([D(-10), D(5), D(-20)]) == D(25)
    # Only gains never draw down.
    assert max_drawdown_usd([D(1), D(2), D(3)]) == D(0)
    # +50, -20, +100, -60: cumulative 50, 30, 130, 70; peaks 50, 50, 130, 130; falls 0, 20, 0, 60 -> 60.
    assert max_drawdown_usd([D(50), D(-20), D(100), D(-60)]) == D(60)


def test_total_drawdown_is_taken_on_the_merged_trades() -> None:
    # Account A closes +100 at t=1, -60 at t=3, -40 at t=5: cumulative 100, 40, 0 -> drawdown 100.
    # Account B closes -70 at t=2, +50 at t=4: cumulative -70, -20 -> drawdown 70.
    a = AccountEvents((trade(1, "100", account="A"), trade(3, "-60", account="A"),
                       trade(5, "-40", account="A")),
                      (funding(2, "-1", account="A"),), D("-4"))
    b = AccountEvents((trade(2, "-70", account="B"), trade(4, "50", account="B")),
                      (funding(2, "0.5", account="B"),), D("1.5"))
    assert journal_figures(a.trades, a.funding).max_drawdown_usd == D(100)
    assert journal_figures(b.trades, b.funding).max_drawdown_usd == D(70)
    total = total_figures([a, b])
    # Merged in time: +100, -70, -60, +50, -40 -> cumulative 100, 30, -30, 20, -20; peak 100;
    # falls 0, 70, 130, 80, 120 -> 130, which is not the accounts' 100 + 70 = 170.
    assert total.max_drawdown_usd == D(130)
    assert (total.trades, total.wins, total.losses) == (5, 2, 3)
    assert total.realised_pnl_usd == D(-20)                  # 100 - 60 - 40 - 70 + 50
    assert total.funding_usd == D("-0.5")                    # -1 + 0.5
    assert total.net_pnl_usd == D("-20.5")
    assert total.profit_factor == D(150) / D(170)           # (100 + 50) / |-60 - 40 - 70|
    assert total.funding_next_24h_usd == D("-2.5")          # -4 + 1.5


def test_total_forecast_is_unknown_when_any_account_is_unknown() -> None:
    known = AccountEvents((), (), D("-3"))
    unknown = AccountEvents((), (), None)
    assert total_figures([known, unknown]).funding_next_24h_usd is None
    assert total_figures([known, known]).funding_next_24h_usd == D(-6)
    assert total_figures([]).funding_next_24h_usd == D(0)
