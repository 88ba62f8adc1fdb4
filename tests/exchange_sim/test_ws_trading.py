"""Position changes behind the simulator's private streams (`apply_fill`), with hand-worked numbers."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from desktop_app.exchange_sim import SimAccount, SimPosition
from desktop_app.exchange_sim.ws_trading import apply_fill


def account(*positions: SimPosition, usdt: str = "1000", btc: str = "1") -> SimAccount:
    wallet = (("USDT", D(usdt)), ("BTC", D(btc)))
    return SimAccount("T", 1, "KEY", "SECRET", wallet=wallet, positions=positions)


def test_open_grow_reduce_close_linear() -> None:
    acc, fill = apply_fill(account(), "ADAUSDT", "Buy", D("1000"), D("0.45"))
    # Opening fee: 1000 × 0.45 × 0.00055 = 0.2475 USDT, paid from the wallet.
    assert fill.fee == D("0.2475") and fill.closed_size == 0 and fill.exec_pnl == 0
    assert acc.positions == (SimPosition("ADAUSDT", "Buy", D("1000"), D("0.45"), D("10"),
                                         cum_realised_pnl=D("-0.2475")),)
    assert acc.balance("USDT") == D("999.7525")

    acc, fill = apply_fill(acc, "ADAUSDT", "Buy", D("1000"), D("0.55"))
    # Average entry: (1000 × 0.45 + 1000 × 0.55) / 2000 = 0.50
    assert acc.positions[0].size == D("2000") and acc.positions[0].entry_price == D("0.5000")

    acc, fill = apply_fill(acc, "ADAUSDT", "Sell", D("400"), D("0.60"))
    # Closed PnL: 400 × (0.60 − 0.50) = 40; fee 400 × 0.60 × 0.00055 = 0.132; the entry is unchanged.
    assert fill.closed_size == D("400") and fill.exec_pnl == D("40") and fill.fee == D("0.132")
    assert acc.positions[0].size == D("1600") and acc.positions[0].entry_price == D("0.5000")
    # Wallet: 999.7525 − fee of the second buy (1000 × 0.55 × 0.00055 = 0.3025) + 40 − 0.132 = 1039.318
    assert acc.balance("USDT") == D("1039.318")

    acc, fill = apply_fill(acc, "ADAUSDT", "Sell", D("1600"), D("0.50"))
    assert acc.positions == () and fill.position is None and fill.exec_pnl == 0


def test_one_way_flip_and_hedge_legs() -> None:
    acc, _ = apply_fill(account(), "SOLUSDT", "Sell", D("10"), D("150"))
    acc, fill = apply_fill(acc, "SOLUSDT", "Buy", D("25"), D("140"))
    # Short 10 @150 bought back at 140: PnL 10 × (140 − 150) × (−1) = 100; the other 15 open a long @140.
    assert fill.exec_pnl == D("100") and fill.closed_size == D("10")
    assert [(p.side, p.size, p.entry_price) for p in acc.positions] == [("Buy", D("15"), D("140"))]

    long_leg = SimPosition("BTCUSDT", "Buy", D("1"), D("60000"), D("10"), 1)
    acc, fill = apply_fill(account(long_leg), "BTCUSDT", "Sell", D("0.5"), D("62000"), position_idx=2)
    # A Sell on leg 2 opens the short leg; the long leg 1 is untouched.
    assert sorted((p.position_idx, p.side, p.size) for p in acc.positions) == [(1, "Buy", D("1")),
                                                                                (2, "Sell", D("0.5"))]
    acc, fill = apply_fill(acc, "BTCUSDT", "Sell", D("0.4"), D("61000"), position_idx=1)
    # Reducing the long leg: 0.4 × (61000 − 60000) = 400
    assert fill.exec_pnl == D("400.0")
    with pytest.raises(ValueError):
        apply_fill(acc, "BTCUSDT", "Sell", D("5"), D("61000"), position_idx=1)  # below zero
    with pytest.raises(ValueError):
        apply_fill(account(), "BTCUSDT", "Sell", D("1"), D("61000"), position_idx=1)  # nothing to reduce


def test_inverse_pnl_and_fee_are_in_the_base_coin() -> None:
    held = SimPosition("BTCUSD", "Buy", D("30000"), D("62500"), D("3"))
    acc, fill = apply_fill(account(held), "BTCUSD", "Sell", D("10000"), D("65000"))
    # PnL = 10000 × (1/62500 − 1/65000) = 10000 × 2500 / (62500 × 65000) = 25,000,000 / 4,062,500,000
    #     = 0.00615384615... BTC; fee = 10000 / 65000 × 0.00055 = 0.0000846153846... BTC
    assert abs(fill.exec_pnl - D(25_000_000) / D(4_062_500_000)) < D("1e-20")
    assert abs(fill.fee - D(10000) / D(65000) * D("0.00055")) < D("1e-20")
    assert fill.settle_coin == "BTC" and acc.positions[0].size == D("20000")
    assert abs(acc.balance("BTC") - (1 + fill.exec_pnl - fill.fee)) < D("1e-20")
    assert acc.balance("USDT") == D("1000")


def test_bad_orders_are_refused() -> None:
    with pytest.raises(ValueError):
        apply_fill(account(), "BTCUSDT", "Long", D("1"), D("1"))
    with pytest.raises(ValueError):
        apply_fill(account(), "BTCUSDT", "Buy", D("0"), D("1"))
    with pytest.raises(KeyError):
        apply_fill(account(), "NOPEUSDT", "Buy", D("1"), D("1"))
