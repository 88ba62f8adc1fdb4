"""PortfolioSnapshot -> Book: each account's positions as columns (converted once per fetch, see
columns.py), joined; everything derived from them (USD conversion, marks of unpriced coins, account
sums) is array maths.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from desktop_app.domain.account import MarginMode, Wallet, WalletCoin
from desktop_app.domain.snapshot import AccountState, PortfolioSnapshot
from desktop_app.risk.book import (
    KIND_INVERSE,
    KIND_OPTION,
    MODE_ISOLATED,
    MODE_POSITION,
    MODE_RATE,
    Book,
)
from desktop_app.risk.coins import MIN_COLLATERAL_USD, USD_PEGGED, USD_STABLECOINS
from desktop_app.risk.columns import DECIMAL_FIELDS, SHARED_CACHE, ColumnCache

_NAN = float("nan")
_RATE_PRINT_STEP = 1e-4  # Bybit prints account rates with 4 decimals; allow one unit (rounded or cut)


def _f(value: object) -> float:
    return _NAN if value is None else float(value)  # type: ignore[arg-type]


def _wallet_figures(
    wallet: Wallet,
    position_im_usd: float,
    position_mm_usd: float,
    coin_usd: Mapping[str, float],
    margin_mode: MarginMode | None,
) -> tuple[float, float, float, float, float]:
    """(equity, available, im, mm, denom) in USD; NaN when the wallet cannot tell. `position_*_usd` are
    the sums over the account's positions, NaN when it has none or one of them is unknown."""
    equity = _f(wallet.total_equity_usd)
    if np.isnan(equity) and wallet.coins:
        total = 0.0
        for coin in wallet.coins:
            if coin.usd_value is not None:
                total += float(coin.usd_value)
            elif coin.equity is not None and coin.coin in coin_usd:
                total += float(coin.equity) * coin_usd[coin.coin]
            else:  # one unpriced coin makes the sum wrong, and a wrong equity is worse than none
                total = _NAN
                break
        equity = total
    im, mm = _f(wallet.total_im_usd), _f(wallet.total_mm_usd)
    if np.isnan(im):
        im = position_im_usd
    if np.isnan(mm):
        mm = position_mm_usd
    # Bybit's denominator: margin balance (cross) or equity (PM), minus haircut loss, plus order loss.
    base = equity if margin_mode is MarginMode.PORTFOLIO else _f(wallet.total_margin_balance_usd)
    rate, total_mm = _f(wallet.mm_rate), _f(wallet.total_mm_usd)
    if np.isfinite(rate) and rate > 0 and np.isfinite(total_mm):
        # The wallet has no haircut or order-loss field; MM / rate recovers them, but the rate is printed
        # with 4 decimals ("0.0069"), so MM / rate is off by up to 0.7 % at low rates. Where the reported
        # rate agrees with MM / base to within its last printed digit, there is no haircut or order loss
        # to recover and the exact base is used.
        consistent = np.isfinite(base) and base > 0 and abs(total_mm / base - rate) <= _RATE_PRINT_STEP
        denom = base if consistent else total_mm / rate
    else:
        denom = base
    return equity, _f(wallet.total_available_balance_usd), im, mm, denom


def _mode(state: AccountState, denom: float, mm: float) -> int:
    assert state.data is not None
    info, wallet = state.data.info, state.data.wallet
    if info.margin_mode is MarginMode.ISOLATED:
        return MODE_ISOLATED
    if info.is_classic and wallet.mm_rate is None:
        return MODE_POSITION
    return MODE_RATE if np.isfinite(denom) and np.isfinite(mm) else MODE_POSITION


def _sum_if_all_known(p_acc: np.ndarray, values: np.ndarray, n_acc: int) -> np.ndarray:
    """Per account, the sum of `values` over its positions; NaN when it has none or one is not finite."""
    count = np.bincount(p_acc, minlength=n_acc)
    known = np.bincount(p_acc, weights=np.isfinite(values), minlength=n_acc)
    # bincount adds in position order, as a left-to-right sum would.
    total = np.bincount(p_acc, weights=values, minlength=n_acc)
    return np.where((count > 0) & (known == count), total, _NAN)


def _held(coin: WalletCoin) -> bool:
    """A wallet coin with a balance (Bybit lists coins at zero too)."""
    amount = coin.wallet_balance if coin.wallet_balance is not None else coin.equity
    return amount is not None and amount != 0


def _priced_holding(coin: WalletCoin) -> bool:
    """A holding of a coin no position prices: counted only with Bybit's USD value (that is its price)
    and from MIN_COLLATERAL_USD up. Without a USD value it could be neither valued nor moved."""
    return (coin.usd_value is not None and bool(coin.equity)
            and abs(float(coin.usd_value)) >= MIN_COLLATERAL_USD)


def _joined(arrays: list[np.ndarray], dtype: type) -> np.ndarray:
    """The accounts' arrays end to end (a new array, also when there is one or none)."""
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype=dtype)


def book_from_snapshot(
    snapshot: PortfolioSnapshot, *, underlying_prices: Mapping[str, float] | None = None,
    cache: ColumnCache = SHARED_CACHE,
) -> Book:
    """Convert a snapshot into a Book. `underlying_prices` (coin -> USD) prices option underlyings and
    coin collateral where no linear/inverse position of the coin gives a mark. `cache` keeps each
    account's converted positions for as long as the snapshot's tuple of them lives on."""
    states = snapshot.accounts
    n_acc = len(states)
    # Each account's positions are converted once per fetch (columns.py), then joined here.
    held = [(i, cache.columns(s.data.positions)) for i, s in enumerate(states) if s.data is not None]
    parts = [c for _, c in held]
    n = sum(len(c.symbols) for c in parts)
    counts = np.array([len(c.symbols) for c in parts], dtype=np.int64)
    p_acc = np.repeat(np.array([i for i, _ in held], dtype=np.int64), counts)
    symbols = tuple(s for c in parts for s in c.symbols)
    categories = tuple(cat for c in parts for cat in c.categories)
    coin_of = [coin for c in parts for coin in c.coins]
    # Coins held in wallets count too, positions or not: 2 ETH of collateral moves equity with ETH.
    position_coins = set(coin_of)
    wallet_coins = [(i, c) for i, s in enumerate(states) if s.data is not None for c in s.data.wallet.coins
                    if c.coin not in USD_PEGGED and _held(c)
                    and (c.coin in position_coins or _priced_holding(c))]
    coins = tuple(sorted(position_coins | {c.coin for _, c in wallet_coins}))
    index = {c: k for k, c in enumerate(coins)}
    p_coin = np.array([index[c] for c in coin_of], dtype=np.int64)
    sym_index = {sym: k for k, sym in enumerate(dict.fromkeys(symbols))}
    p_symbol = np.array([sym_index[sym] for sym in symbols], dtype=np.int64)
    kind = _joined([c.kind for c in parts], np.int8)
    p_dir = _joined([c.direction for c in parts], np.float64)
    values = _joined([c.values for c in parts], np.float64).reshape(n, len(DECIMAL_FIELDS))
    columns = values.T.copy()  # contiguous columns
    size, mark_raw, entry, liq, lev, im_raw, mm_raw, upnl_raw, delta = columns
    no_mark = _joined([c.no_mark for c in parts], bool)

    coin_usd: dict[str, float] = {c: 1.0 for c in USD_STABLECOINS}
    coin_usd.update({c: float(v) for c, v in (underlying_prices or {}).items()})
    # A coin without a given price takes the mark of its first linear/inverse position that has one.
    priced = np.flatnonzero((kind != KIND_OPTION) & ~no_mark)
    first_coins, first_rows = np.unique(p_coin[priced], return_index=True)
    for k, row in zip(first_coins.tolist(), priced[first_rows].tolist(), strict=True):
        coin_usd.setdefault(coins[k], float(mark_raw[row]))
    # A coin held only in a wallet: Bybit's USD value of the holding over its amount (index price).
    for _, c in wallet_coins:
        if c.coin not in coin_usd and c.usd_value is not None and c.equity:
            coin_usd[c.coin] = float(c.usd_value) / float(c.equity)
    coin_price = np.array([coin_usd.get(c, _NAN) for c in coins], dtype=np.float64)
    coin_known = np.array([c in coin_usd for c in coins], dtype=bool)

    mark = np.where(no_mark, np.where(coin_known[p_coin], coin_price[p_coin], entry), mark_raw)
    under = np.where(kind == KIND_OPTION, coin_price[p_coin], _NAN)
    inverse = kind == KIND_INVERSE
    to_usd = np.where(inverse, mark, 1.0)  # inverse money fields are in coin
    p_im, p_mm, p_upnl = im_raw * to_usd, mm_raw * to_usd, upnl_raw * to_usd
    value = np.where(inverse, size, size * mark)

    # Non-stablecoin wallet balances of held coins (a few coins per account): equity moves with them.
    collateral = np.zeros((n_acc, len(coins)))
    for i, c in wallet_coins:
        if c.wallet_balance is not None:
            collateral[i, index[c.coin]] += float(c.wallet_balance)
        elif c.equity is not None and c.unrealised_pnl is not None:
            collateral[i, index[c.coin]] += float(c.equity) - float(c.unrealised_pnl)
    figures = np.full((n_acc, 5), _NAN)
    modes = np.full(n_acc, MODE_POSITION, dtype=np.int8)
    im_sums = _sum_if_all_known(p_acc, p_im, n_acc).tolist()
    mm_sums = _sum_if_all_known(p_acc, p_mm, n_acc).tolist()
    for i, state in enumerate(states):
        if state.data is None:
            continue
        figures[i] = _wallet_figures(
            state.data.wallet, im_sums[i], mm_sums[i], coin_usd, state.data.info.margin_mode
        )
        modes[i] = _mode(state, figures[i, 4], figures[i, 3])
    return Book(
        taken_at=snapshot.taken_at,
        source="snapshot",
        account_ids=tuple(a.account_id for a in states),
        names=tuple(a.name for a in states),
        errors=tuple(a.error for a in states),
        margin_modes=tuple(
            None if a.data is None or a.data.info.margin_mode is None else a.data.info.margin_mode.value
            for a in states
        ),
        classic=tuple(a.data is not None and a.data.info.is_classic for a in states),
        fetched_at=tuple(None if a.data is None else a.data.fetched_at for a in states),
        a_has_data=np.array([a.data is not None for a in states], dtype=bool),
        a_ok=np.array([a.ok for a in states], dtype=bool),
        a_mode=modes,
        a_equity=figures[:, 0],
        a_available=figures[:, 1],
        a_im=figures[:, 2],
        a_mm=figures[:, 3],
        a_denom=figures[:, 4],
        symbols=symbols,
        categories=categories,
        position_idx=tuple(i for c in parts for i in c.position_idx),
        unique_symbols=tuple(sym_index),
        p_symbol=p_symbol,
        p_acc=p_acc,
        p_coin=p_coin,
        p_kind=kind,
        p_dir=p_dir,
        p_size=size,
        p_mark=mark,
        p_entry=entry,
        p_liq=liq,
        p_lev=lev,
        p_im=p_im,
        p_mm=p_mm,
        p_mm_eff=_attribute_mm(p_acc, p_mm, value, figures[:, 3], n_acc),
        p_value=value,
        p_upnl=p_upnl,
        p_delta=delta,
        p_under=under,
        coins=coins,
        coin_price=coin_price,
        a_collateral=collateral,
    )


def _attribute_mm(
    p_acc: np.ndarray, p_mm: np.ndarray, p_value: np.ndarray, a_mm: np.ndarray, n_acc: int
) -> np.ndarray:
    """Per-position MM; where Bybit gives none (portfolio margin), the account MM not explained by known
    position MM is shared by value, so that stressed MM can scale with each position's value."""
    known = np.isfinite(p_mm)
    known_sum = np.bincount(p_acc[known], weights=p_mm[known], minlength=n_acc)
    unknown_value = np.bincount(p_acc[~known], weights=np.nan_to_num(p_value[~known]), minlength=n_acc)
    remainder = np.where(np.isfinite(a_mm), np.maximum(a_mm - known_sum, 0.0), 0.0)
    share = np.divide(remainder, unknown_value, out=np.zeros(n_acc), where=unknown_value > 0)
    return np.where(known, p_mm, share[p_acc] * np.nan_to_num(p_value) if len(p_acc) else 0.0)
