"""The journal's figures over one period: counts, win rate, profit factor, realised PnL, funding,
net PnL, maximum drawdown and the per-symbol breakdown, per account and in total.

Definitions (issue 17):
- trades: closed-PnL rows; wins: closed PnL > 0; losses: closed PnL < 0 (a 0 row is neither).
- win_rate = wins / trades (None without trades); profit_factor = sum of wins / |sum of losses|
  (None without losses).
- realised = sum of closed PnL as the exchange reports it (after trading fees); funding = sum of
  settlements; net = realised + funding (issue 17's formula).
  That sum assumes Bybit's closedPnl leaves funding out. The API docs do not say so; what supports it
  is their closed-PnL example, whose closedPnl is exactly the price difference minus both 0.06% fees,
  with nothing left over for funding (tests/bybit/test_parse_history.py,
  test_docs_closed_pnl_example). Bybit's help centre says the app's Closed P&L page includes the
  funding paid while holding. Should a recorded real answer show funding inside closedPnl, net would
  count funding twice: net would then be realised alone, and funding a breakdown of it.
- max drawdown: the largest fall of the cumulative realised PnL from its running peak, walking the
  trades in time order from 0. The total's drawdown is taken on all accounts' trades merged in time
  order, which is not the sum of the accounts' drawdowns (their troughs need not coincide).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from desktop_app.domain.journal import JournalFigures, JournalFunding, JournalTrade, SymbolFigures

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class AccountEvents:
    """One account's events over the period, and its funding forecast (None: unknown)."""

    trades: tuple[JournalTrade, ...]
    funding: tuple[JournalFunding, ...]
    funding_next_24h_usd: Decimal | None


def time_ordered(trades: Iterable[JournalTrade]) -> list[JournalTrade]:
    """Trades by close time; ties broken by account and row id so the order never depends on input."""
    return sorted(trades, key=lambda t: (t.time_ms, t.account_id, t.row_id))


def max_drawdown_usd(pnls_in_time_order: Iterable[Decimal]) -> Decimal:
    """Largest peak-to-trough fall of the running sum, which starts at 0 (so a first loss counts)."""
    cumulative = peak = drawdown = ZERO
    for pnl in pnls_in_time_order:
        cumulative += pnl
        peak = max(peak, cumulative)
        drawdown = max(drawdown, peak - cumulative)
    return drawdown


def _by_symbol(trades: Sequence[JournalTrade]) -> tuple[SymbolFigures, ...]:
    counts: dict[str, int] = {}
    sums: dict[str, Decimal] = {}
    for trade in trades:
        counts[trade.symbol] = counts.get(trade.symbol, 0) + 1
        sums[trade.symbol] = sums.get(trade.symbol, ZERO) + trade.pnl_usd
    rows = [SymbolFigures(symbol, counts[symbol], sums[symbol]) for symbol in counts]
    rows.sort(key=lambda row: (-abs(row.realised_pnl_usd), row.symbol))
    return tuple(rows)


def journal_figures(trades: Iterable[JournalTrade], funding: Iterable[JournalFunding], *,
                    funding_next_24h_usd: Decimal | None = None) -> JournalFigures:
    """The figures of these trades and funding settlements (already limited to the period)."""
    ordered = time_ordered(trades)
    pnls = [t.pnl_usd for t in ordered]
    wins = [p for p in pnls if p > 0]
    losses = [p for p in pnls if p < 0]
    realised = sum(pnls, ZERO)
    funding_usd = sum((f.amount_usd for f in funding), ZERO)
    loss_sum = sum(losses, ZERO)
    return JournalFigures(
        trades=len(pnls),
        wins=len(wins),
        losses=len(losses),
        win_rate=Decimal(len(wins)) / len(pnls) if pnls else None,
        profit_factor=sum(wins, ZERO) / -loss_sum if losses else None,
        realised_pnl_usd=realised,
        funding_usd=funding_usd,
        net_pnl_usd=realised + funding_usd,
        max_drawdown_usd=max_drawdown_usd(pnls),
        by_symbol=_by_symbol(ordered),
        funding_next_24h_usd=funding_next_24h_usd,
    )


def total_figures(accounts: Iterable[AccountEvents]) -> JournalFigures:
    """All accounts together: their trades merged in time order (for the drawdown) and their
    funding summed. The forecast is the sum, or None when any account's forecast is unknown."""
    trades: list[JournalTrade] = []
    funding: list[JournalFunding] = []
    forecast: Decimal | None = ZERO
    for events in accounts:
        trades.extend(events.trades)
        funding.extend(events.funding)
        forecast = None if forecast is None or events.funding_next_24h_usd is None \
            else forecast + events.funding_next_24h_usd
    return journal_figures(trades, funding, funding_next_24h_usd=forecast)
