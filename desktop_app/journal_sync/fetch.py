"""Which of Bybit's logs hold an account's funding, and which coin amounts need a USD price.

Funding settlements are in the unified transaction log for a unified account and in the contract
transaction log for a classic one. A UTA 1.0 account (unifiedMarginStatus 3, or 4 for pro) has both:
Bybit upgraded its USDT and USDC contracts into the unified wallet but left its inverse contracts in
an inverse derivatives wallet of their own, and the contract log's documentation says it applies to
"classic account, UTA1.0 (inverse)"; the unified log of UTA 1.0 lists spot, linear and option only.
So for UTA 1.0 both logs are read, taking only the inverse rows from the contract log (so nothing can
be counted twice). UTA 2.0 (5, 6) has everything in the unified log.
"""

from __future__ import annotations

from desktop_app.bybit.client import BybitClient, gather_or_cancel
from desktop_app.domain.account import AccountInfo
from desktop_app.domain.journal import FundingPayment
from desktop_app.domain.market import Category
from desktop_app.journal.usd import USD_COINS, day_start_ms
from desktop_app.storage.journal_cache import JournalCache


def is_inverse(payment: FundingPayment) -> bool:
    """A settlement of an inverse contract (by its category; without one, by its coin)."""
    if payment.category is not None:
        return payment.category is Category.INVERSE
    return payment.currency not in USD_COINS


async def funding_payments(client: BybitClient, info: AccountInfo, start_ms: int,
                           end_ms: int) -> tuple[FundingPayment, ...]:
    """The account's funding settlements in [start_ms, end_ms] from the log(s) that hold them.
    May raise: BybitError, ValueError."""
    if info.is_classic:
        return await client.funding_payments(start_ms, end_ms, contract_log=True)
    if not info.is_uta1:
        return await client.funding_payments(start_ms, end_ms, contract_log=False)
    unified, contract = await gather_or_cancel(
        client.funding_payments(start_ms, end_ms, contract_log=False),
        client.funding_payments(start_ms, end_ms, contract_log=True))
    return unified + tuple(p for p in contract if is_inverse(p))


def coins_to_value(cache: JournalCache, account_id: str, start_ms: int,
                   end_ms: int) -> dict[str, set[int]]:
    """{coin: UTC day starts} of the account's coin-settled closed PnL and funding in the period: the
    days each coin's USD price is needed for. May raise: HistoryError."""
    wanted: dict[str, set[int]] = {}
    rows = [(r.settle_coin, r.closed_ms) for r in cache.closed_pnl(account_id, start_ms, end_ms)]
    rows += [(p.currency, p.time_ms) for p in cache.funding(account_id, start_ms, end_ms)]
    for coin, time_ms in rows:
        if coin is not None and coin not in USD_COINS:
            wanted.setdefault(coin, set()).add(day_start_ms(time_ms))
    return wanted
