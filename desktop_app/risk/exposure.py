"""Exposure per base coin across all accounts, and cross-account (or hedge-mode) hedges."""

from __future__ import annotations

import itertools

import numpy as np

from desktop_app.risk.book import Book
from desktop_app.risk.results import CoinExposure, Hedge


def net_by_coin(book: Book, expo: np.ndarray | None = None) -> np.ndarray:
    """Net signed USD exposure per coin (aligned with book.coins); `expo` is book.exposure() if known."""
    expo = book.exposure() if expo is None else expo
    return np.bincount(book.p_coin, weights=expo, minlength=len(book.coins))


def _holders(book: Book, side: np.ndarray) -> list[tuple[str, ...]]:
    """Per coin, the names of the accounts with a position on `side` (mask), in account order."""
    n_acc = book.n_accounts
    # One key per (coin, account) pair, sorted by coin, then account, without repeats. Not np.unique:
    # numpy 2 imports numpy.ma for it (~25 ms of a CLI report's start, only to ask "is it masked?").
    keys = np.sort(book.p_coin[side] * n_acc + book.p_acc[side])
    if keys.size:
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    bounds = np.searchsorted(keys // n_acc if n_acc else keys, np.arange(len(book.coins) + 1)).tolist()
    names = np.array(book.names, dtype=object)[keys % n_acc if n_acc else keys].tolist()
    return [tuple(names[lo:hi]) for lo, hi in itertools.pairwise(bounds)]


def coin_exposure(book: Book, expo: np.ndarray | None = None,
                  collateral_usd: np.ndarray | None = None) -> tuple[CoinExposure, ...]:
    """Long, short, net and gross USD exposure per coin, with the accounts holding each side.

    Linear: size x mark; inverse: the USD size; option: delta x underlying. A hedge-mode account
    with both legs of a symbol appears on both sides. Coin collateral (wallet balance x price) is
    given apart. `expo` is book.exposure() and `collateral_usd` book.collateral_coef().sum(axis=0), if
    already computed.
    """
    n = len(book.coins)
    expo = book.exposure() if expo is None else expo
    long_usd = np.bincount(book.p_coin, weights=np.where(expo > 0, expo, 0.0), minlength=n).tolist()
    short_usd = np.bincount(book.p_coin, weights=np.where(expo < 0, -expo, 0.0), minlength=n).tolist()
    collateral_usd = book.collateral_coef().sum(axis=0) if collateral_usd is None else collateral_usd
    longs, shorts = _holders(book, expo > 0), _holders(book, expo < 0)
    return tuple(
        CoinExposure(coin, lu, su, lu - su, lu + su, lo, sh, cu)
        for coin, lu, su, lo, sh, cu in zip(book.coins, long_usd, short_usd, longs, shorts,
                                            collateral_usd.tolist(), strict=True)
    )


def hedges(exposure: tuple[CoinExposure, ...]) -> tuple[Hedge, ...]:
    """Coins held long in one place and short in another; hedged notional = min(long, short)."""
    return tuple(
        Hedge(e.coin, e.long_accounts, e.short_accounts, min(e.long_usd, e.short_usd))
        for e in exposure
        if e.long_accounts and e.short_accounts
    )
