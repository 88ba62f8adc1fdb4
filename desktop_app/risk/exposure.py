"""Exposure per base coin across all accounts, and cross-account (or hedge-mode) hedges."""

from __future__ import annotations

import numpy as np

from desktop_app.risk.book import Book
from desktop_app.risk.results import CoinExposure, Hedge


def net_by_coin(book: Book) -> np.ndarray:
    """Net signed USD exposure per coin (aligned with book.coins)."""
    return np.bincount(book.p_coin, weights=book.exposure(), minlength=len(book.coins))


def coin_exposure(book: Book) -> tuple[CoinExposure, ...]:
    """Long, short, net and gross USD exposure per coin, with the accounts holding each side.

    Linear: size x mark; inverse: the USD size; option: delta x underlying. A hedge-mode account
    with both legs of a symbol appears on both sides.
    """
    n = len(book.coins)
    expo = book.exposure()
    long_usd = np.bincount(book.p_coin, weights=np.where(expo > 0, expo, 0.0), minlength=n)
    short_usd = np.bincount(book.p_coin, weights=np.where(expo < 0, -expo, 0.0), minlength=n)
    sides: list[tuple[set[int], set[int]]] = [(set(), set()) for _ in range(n)]
    for coin, acc, e in zip(book.p_coin.tolist(), book.p_acc.tolist(), expo.tolist(), strict=True):
        if e > 0:
            sides[coin][0].add(acc)
        elif e < 0:
            sides[coin][1].add(acc)
    out = []
    for k, coin in enumerate(book.coins):
        longs = tuple(book.names[a] for a in sorted(sides[k][0]))
        shorts = tuple(book.names[a] for a in sorted(sides[k][1]))
        lu, su = float(long_usd[k]), float(short_usd[k])
        out.append(CoinExposure(coin, lu, su, lu - su, lu + su, longs, shorts))
    return tuple(out)


def hedges(exposure: tuple[CoinExposure, ...]) -> tuple[Hedge, ...]:
    """Coins held long in one place and short in another; hedged notional = min(long, short)."""
    return tuple(
        Hedge(e.coin, e.long_accounts, e.short_accounts, min(e.long_usd, e.short_usd))
        for e in exposure
        if e.long_accounts and e.short_accounts
    )
