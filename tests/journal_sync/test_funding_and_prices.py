"""Where the journal finds funding and coin prices: a UTA 1.0 account's inverse funding is in the contract
transaction log, and a dated inverse contract's PnL is valued at its coin's USD price of the day even
when the exchange no longer serves that contract's own candles."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

import pytest

from desktop_app.domain.journal import ClosedPnl
from desktop_app.domain.market import Category, Side
from desktop_app.exchange_sim import Simulator
from desktop_app.exchange_sim.accounts import make_demo_accounts
from desktop_app.journal_sync.service import source_of
from desktop_app.storage.journal_cache import JournalCache
from tests.journal_sync.oracle import DAY, daily_mark, expected
from tests.journal_sync.test_service import run_sync
from tests.sim_fixtures import SIM_SEED, SIM_START_MS, spec_of

D = Decimal


@pytest.fixture
def uta1_sim() -> Iterator[Simulator]:
    """The demo's Classic account upgraded to UTA 1.0 (its BTCUSD position in the inverse wallet, its
    ETHUSDT position in the unified one), beside the demo's Main."""
    demo = {a.name: a for a in make_demo_accounts(seed=SIM_SEED)}
    upgraded = replace(demo["Classic"], name="Uta1", classic=False, uta1=True)
    with Simulator(seed=SIM_SEED, realtime=False, start_ms=SIM_START_MS, streams=False, page_size_cap=None,
                   accounts=(demo["Main"], upgraded), server_clock="price") as simulator:
        yield simulator


def test_a_uta1_accounts_inverse_funding_is_fetched(uta1_sim: Simulator) -> None:
    report = run_sync(uta1_sim, JournalCache.in_memory(), 30)
    assert report.complete
    uta1 = next(a for a in report.accounts if a.name == "Uta1")
    want = expected(uta1_sim, uta1_sim.account("Uta1"), report.start_ms, report.end_ms)
    assert uta1.figures is not None and uta1.figures.funding_usd == want.funding
    # Both logs were read: the BTCUSD (inverse wallet) and the ETHUSDT (unified wallet) settlements.
    by_symbol: dict[str, Decimal] = {}
    for payment in uta1.funding:
        by_symbol[payment.symbol] = by_symbol.get(payment.symbol, D(0)) + payment.amount_usd
    assert set(by_symbol) == {"BTCUSD", "ETHUSDT"} and all(v != 0 for v in by_symbol.values())


def test_an_expired_inverse_contract_is_valued_at_its_coins_price_of_the_day(jsim: Simulator) -> None:
    # A close of BTCUSDZ25 (expired 26 Dec 2025) is in the cache; the simulator, like Bybit for a symbol it
    # no longer lists, answers 10001 for that symbol's candles. The journal values the row at BTC's USD
    # price of the day: the BTCUSD perpetual's daily mark close.
    cache = JournalCache.in_memory()
    first = run_sync(jsim, cache, 30, accounts=("Classic",))
    classic = spec_of(jsim, jsim.account("Classic"))
    closed_ms = SIM_START_MS - 6 * DAY + 5 * 3_600_000          # 26 Dec 2025, 05:00 UTC (before expiry)
    row = ClosedPnl(Category.INVERSE, "BTCUSDZ25", "expired-1", Side.LONG, D(5000), D("87000"), D("88000.5"),
                    D("0.00064975"), "Trade", closed_ms, closed_ms, "BTC")
    cache.store_closed_pnl(classic.account_id, source_of(classic), Category.INVERSE, [row], closed_ms,
                           closed_ms)
    (journal,) = run_sync(jsim, cache, 30, accounts=("Classic",)).accounts
    assert journal.ok, journal.error
    (trade,) = [t for t in journal.trades if t.symbol == "BTCUSDZ25"]
    assert trade.pnl_usd == D("0.00064975") * daily_mark(jsim, "BTCUSD", closed_ms)
    before = first.accounts[0].figures
    assert before is not None and journal.figures is not None
    assert journal.figures.realised_pnl_usd == before.realised_pnl_usd + trade.pnl_usd
