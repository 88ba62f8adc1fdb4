"""Properties of the journal's maths that hold for any trades (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from desktop_app.domain.journal import JournalTrade
from desktop_app.journal import journal_figures, max_drawdown_usd, total_figures
from desktop_app.journal.figures import AccountEvents, time_ordered

D = Decimal
pnls = st.decimals(min_value=D("-1e6"), max_value=D("1e6"), places=4, allow_nan=False, allow_infinity=False)


@st.composite
def account_trades(draw: st.DrawFn, account: str) -> tuple[JournalTrade, ...]:
    values = draw(st.lists(st.tuples(st.integers(0, 10**6), pnls), max_size=25))
    return tuple(JournalTrade(account, t, "BTCUSDT" if i % 2 else "ETHUSDT", p, f"{account}:{i}")
                 for i, (t, p) in enumerate(values))


def brute_force_drawdown(values: list[Decimal]) -> Decimal:
    """Every pair (i <= j) of points on the curve that starts at 0: the largest fall from i to j."""
    curve = [D(0)]
    for v in values:
        curve.append(curve[-1] + v)
    return max((curve[i] - curve[j] for i in range(len(curve)) for j in range(i, len(curve))), default=D(0))


@given(st.lists(pnls, max_size=40))
def test_drawdown_is_the_largest_fall_and_never_negative(values: list[Decimal]) -> None:
    drawdown = max_drawdown_usd(values)
    assert drawdown >= 0
    assert drawdown == brute_force_drawdown(values)
    # It never exceeds what all the losing trades lost together.
    assert drawdown <= -sum((v for v in values if v < 0), D(0))


@given(account_trades("A"))
def test_counts_rates_and_sums_hold_together(trades: tuple[JournalTrade, ...]) -> None:
    f = journal_figures(trades, [])
    assert f.wins + f.losses <= f.trades == len(trades)
    if f.trades:
        assert f.win_rate is not None and 0 <= f.win_rate <= 1
    else:
        assert f.win_rate is None
    assert (f.profit_factor is None) == (f.losses == 0)
    assert f.profit_factor is None or f.profit_factor >= 0
    assert f.realised_pnl_usd == sum((s.realised_pnl_usd for s in f.by_symbol), D(0))
    assert f.trades == sum(s.trades for s in f.by_symbol)
    assert f.net_pnl_usd == f.realised_pnl_usd + f.funding_usd


@given(account_trades("A"), account_trades("B"))
def test_total_is_computed_on_the_merged_trades(a: tuple[JournalTrade, ...],
                                                b: tuple[JournalTrade, ...]) -> None:
    total = total_figures([AccountEvents(a, (), D(0)), AccountEvents(b, (), D(0))])
    merged = [t.pnl_usd for t in time_ordered(a + b)]
    assert total.max_drawdown_usd == brute_force_drawdown(merged) >= 0
    # Counts and sums add up across accounts; the drawdown need not, but never exceeds all losses.
    fa, fb = journal_figures(a, []), journal_figures(b, [])
    assert total.trades == fa.trades + fb.trades and total.wins == fa.wins + fb.wins
    assert total.realised_pnl_usd == fa.realised_pnl_usd + fb.realised_pnl_usd
    assert total.max_drawdown_usd <= -sum((p for p in merged if p < 0), D(0))
    # One account alone: the total is that account.
    assert total_figures([AccountEvents(a, (), D(0))]).max_drawdown_usd == fa.max_drawdown_usd
