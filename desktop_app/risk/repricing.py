"""Revalue a Book at new mark prices without a network call (streamed marks, or stress scenarios).

uPnL moves by the exact change for linear and inverse contracts and by delta x change of underlying
for options without their own mark. Cross/PM margin (IM and MM) scales with position value at mark:
linear value is size x mark, inverse value is fixed in USD (so its USD margin does not move), and
option margin follows the underlying. Isolated and classic margin is fixed at entry in the settle
coin (constant USD for linear, coin x mark for inverse). Account equity, available balance and the
MM-rate denominator move by the uPnL change and by the USD change of coin collateral (no haircut is
known, so collateral counts in full); available balance also by the IM change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

from desktop_app.domain.market import Category
from desktop_app.risk.book import KIND_INVERSE, KIND_LINEAR, KIND_OPTION, Book
from desktop_app.risk.coins import base_coin


def _ratio(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    ok = np.isfinite(new) & np.isfinite(old) & (old > 0)
    return np.where(ok, np.divide(new, old, out=np.ones_like(old), where=ok), 1.0)


def revalue(book: Book, new_mark: np.ndarray, coin_ratio: np.ndarray, *, source: str) -> Book:
    """Book at `new_mark` (per position; NaN = unknown) and `coin_ratio` (new/old coin price per coin).

    Linear/inverse positions with a NaN new mark move with their coin; options with a NaN mark are
    revalued by delta. Returns a new Book; the input is not changed.
    """
    kind, coin_r = book.p_kind, coin_ratio[book.p_coin] if book.n_positions else np.ones(0)
    is_opt = kind == KIND_OPTION
    mark = np.where(np.isfinite(new_mark), new_mark, np.where(is_opt, book.p_mark, book.p_mark * coin_r))
    own_change = book.p_dir * book.p_size * (mark - book.p_mark)
    inv_base = np.where(np.isfinite(book.p_entry) & (book.p_entry > 0), book.p_entry, book.p_mark)
    d_upnl = np.where(kind == KIND_INVERSE, own_change / inv_base, own_change)
    delta_change = np.nan_to_num(book.p_delta * book.p_under * (coin_r - 1.0))
    d_upnl = np.where(is_opt & ~np.isfinite(new_mark), delta_change, d_upnl)
    d_upnl = np.nan_to_num(d_upnl)

    value = np.where(kind == KIND_INVERSE, book.p_value, book.p_size * mark)
    # Cross/PM margin is taken at mark: linear margin moves with the mark, inverse coin margin times the
    # mark stays put in USD. Isolated and classic margin is fixed at entry: linear USD margin stays put,
    # inverse coin margin is worth mark_new/mark_old as much in USD.
    mark_r = _ratio(mark, book.p_mark)
    fixed_usd = np.where(book.entry_margined(), kind == KIND_LINEAR, kind == KIND_INVERSE)
    margin_scale = np.where(fixed_usd, 1.0, mark_r)
    margin_scale = np.where(is_opt, coin_r, margin_scale)
    im, mm, mm_eff = book.p_im * margin_scale, book.p_mm * margin_scale, book.p_mm_eff * margin_scale

    n = book.n_accounts
    # Coin collateral (a wallet balance in BTC, say) changes equity and margin balance with its coin.
    d_collateral = book.a_collateral @ np.nan_to_num(book.coin_price * (coin_ratio - 1.0))
    d_equity = np.bincount(book.p_acc, weights=d_upnl, minlength=n) + d_collateral
    d_im = np.bincount(book.p_acc, weights=np.nan_to_num(im - book.p_im), minlength=n)
    d_mm = np.bincount(book.p_acc, weights=mm_eff - book.p_mm_eff, minlength=n)
    return dataclasses.replace(
        book,
        source=source,
        p_mark=mark,
        p_value=value,
        p_upnl=book.p_upnl + d_upnl,
        p_im=im,
        p_mm=mm,
        p_mm_eff=mm_eff,
        p_under=book.p_under * coin_r,
        coin_price=book.coin_price * coin_ratio,
        a_equity=book.a_equity + d_equity,
        a_available=book.a_available + d_equity - d_im,
        a_im=book.a_im + d_im,
        a_mm=book.a_mm + d_mm,
        a_denom=book.a_denom + d_equity,
    )


def _marks(book: Book, prices: Mapping[str, float]) -> np.ndarray:
    """New mark per position (NaN where `prices` has none), looking each distinct symbol up once."""
    per_symbol = np.array(
        [float(prices[s]) if s in prices else np.nan for s in book.unique_symbols], dtype=np.float64
    )
    return per_symbol[book.p_symbol] if book.n_positions else np.zeros(0)


def coin_ratios(book: Book, prices: Mapping[str, float], new_mark: np.ndarray | None = None) -> np.ndarray:
    """New/old price per coin from streamed marks: the mean ratio over the coin's linear and inverse
    positions that have a new mark, else `{COIN}USDT` against the coin's current price, else 1."""
    if new_mark is None:
        new_mark = _marks(book, prices)
    n = len(book.coins)
    usable = (book.p_kind != KIND_OPTION) & np.isfinite(new_mark) & (book.p_mark > 0)
    ratio = np.divide(new_mark, book.p_mark, out=np.ones(book.n_positions), where=usable)
    total = np.bincount(book.p_coin[usable], weights=ratio[usable], minlength=n)
    count = np.bincount(book.p_coin[usable], minlength=n)
    ratios = np.divide(total, count, out=np.ones(n), where=count > 0)
    for k, coin in enumerate(book.coins):
        if count[k] == 0 and f"{coin}USDT" in prices and book.coin_price[k] > 0:
            ratios[k] = float(prices[f"{coin}USDT"]) / float(book.coin_price[k])
    return ratios


def reprice(book: Book, prices: Mapping[str, float], *, source: str = "stream") -> Book:
    """Book at streamed mark prices (symbol -> price). Symbols without a new price move with their coin
    (linear/inverse) or by delta (options). Pure: no network, no clock."""
    new_mark = _marks(book, prices)
    return revalue(book, new_mark, coin_ratios(book, prices, new_mark), source=source)


def shocked(book: Book, coin_returns: np.ndarray) -> Book:
    """Book after every coin moves by `coin_returns` (fraction per coin, in `book.coins` order)."""
    ratio = 1.0 + np.asarray(coin_returns, dtype=np.float64)
    return revalue(book, np.full(book.n_positions, np.nan), ratio, source="stress")


def coin_index(book: Book, coin: str) -> int:
    """Index of a coin (or of a symbol's base coin) in the book. May raise: KeyError (coin not held)."""
    for name in (coin, base_coin(coin, Category.LINEAR)):
        if name in book.coins:
            return book.coins.index(name)
    raise KeyError(coin)
