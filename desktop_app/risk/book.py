"""A portfolio snapshot as flat float64 arrays: converted once, then every figure is vectorised.

Conventions (all money in USD):
- linear and option money fields are in USDT/USDC, taken as 1 USD (see coins.USD_STABLECOINS);
- inverse money fields are in the base coin and are converted at the position's mark price;
- `value_usd` is the notional at the mark price (linear size x mark, inverse the USD contracts,
  option size x option mark), not Bybit's positionValue at entry, so that it moves with the market;
- unknown numbers are NaN in arrays and None in results, never 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from desktop_app.bybit.models import Category, MarginMode, Side, Wallet
from desktop_app.risk.coins import USD_STABLECOINS, base_coin
from desktop_app.snapshot import AccountState, PortfolioSnapshot

# How an account is liquidated.
MODE_RATE = 0  # UTA cross / portfolio margin: account MM rate, liquidation at 1.0
MODE_ISOLATED = 1  # each position at its own liqPrice; its loss is capped at its margin
MODE_POSITION = 2  # no account rates (classic): cross money, but liquidated when a position reaches liqPrice

KIND_LINEAR, KIND_INVERSE, KIND_OPTION = 0, 1, 2
_KINDS = {Category.LINEAR: KIND_LINEAR, Category.INVERSE: KIND_INVERSE, Category.OPTION: KIND_OPTION}
_NAN = float("nan")


def _f(value: object) -> float:
    return _NAN if value is None else float(value)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True, eq=False)
class Book:
    """Arrays of one portfolio. `a_*` are per account, `p_*` per position, `coin_*` per coin."""

    taken_at: float
    source: str  # "snapshot" or "stream" (repriced from streamed marks)
    # accounts
    account_ids: tuple[str, ...]
    names: tuple[str, ...]
    errors: tuple[str | None, ...]
    margin_modes: tuple[str | None, ...]
    classic: tuple[bool, ...]
    fetched_at: tuple[float | None, ...]
    a_has_data: np.ndarray  # bool
    a_ok: np.ndarray  # bool
    a_mode: np.ndarray  # int8, MODE_*
    a_equity: np.ndarray
    a_available: np.ndarray
    a_im: np.ndarray
    a_mm: np.ndarray
    a_denom: np.ndarray  # the MM-rate denominator (margin balance for cross, equity for PM)
    # positions
    symbols: tuple[str, ...]
    categories: tuple[Category, ...]
    position_idx: tuple[int, ...]
    p_acc: np.ndarray  # int64 account index
    p_coin: np.ndarray  # int64 coin index
    p_kind: np.ndarray  # int8, KIND_*
    p_dir: np.ndarray  # +1 long, -1 short
    p_size: np.ndarray
    p_mark: np.ndarray
    p_entry: np.ndarray
    p_liq: np.ndarray
    p_lev: np.ndarray
    p_im: np.ndarray
    p_mm: np.ndarray
    p_mm_eff: np.ndarray  # MM attributed to the position (account MM shared by value where unknown)
    p_value: np.ndarray
    p_upnl: np.ndarray
    p_delta: np.ndarray  # option position delta, coin units, signed
    p_under: np.ndarray  # option underlying price (coin mark), USD
    # coins
    coins: tuple[str, ...]
    coin_price: np.ndarray

    @property
    def n_accounts(self) -> int:
        return len(self.names)

    @property
    def n_positions(self) -> int:
        return len(self.symbols)

    @property
    def repriced(self) -> bool:
        return self.source != "snapshot"

    def pnl_coef(self) -> np.ndarray:
        """USD PnL per unit return of each position's coin (first order; exact for linear contracts).

        Linear: dir x size x mark. Inverse: dir x size x mark/entry, since its USD uPnL is
        dir x size x (mark/entry - 1). Option: delta x underlying (delta-normal).
        """
        inv_scale = np.where(np.isfinite(self.p_entry) & (self.p_entry > 0), self.p_mark / self.p_entry, 1.0)
        coef = np.where(
            self.p_kind == KIND_INVERSE,
            self.p_dir * self.p_size * inv_scale,
            self.p_dir * self.p_size * self.p_mark,
        )
        coef = np.where(self.p_kind == KIND_OPTION, self.p_delta * self.p_under, coef)
        return np.nan_to_num(coef, nan=0.0)

    def exposure(self) -> np.ndarray:
        """Signed USD exposure: linear size x mark, inverse USD size, option delta x underlying."""
        expo = np.where(
            self.p_kind == KIND_INVERSE, self.p_dir * self.p_size, self.p_dir * self.p_size * self.p_mark
        )
        expo = np.where(self.p_kind == KIND_OPTION, self.p_delta * self.p_under, expo)
        return np.nan_to_num(expo, nan=0.0)

    def mm_growth(self) -> np.ndarray:
        """d(value_usd)/value_usd per unit coin return: 1 for linear and options, 0 for inverse."""
        return np.where(self.p_kind == KIND_INVERSE, 0.0, 1.0)

    def position_liquidates(self) -> np.ndarray:
        """Which positions liquidate on their own liqPrice (isolated accounts and accounts without rates)."""
        mode = self.a_mode[self.p_acc] if self.n_positions else np.zeros(0, dtype=np.int8)
        return (mode != MODE_RATE) & np.isfinite(self.p_liq) & np.isfinite(self.p_mark)


def _wallet_figures(
    wallet: Wallet,
    positions_usd: list[tuple[float, float]],
    coin_usd: Mapping[str, float],
    margin_mode: MarginMode | None,
) -> tuple[float, float, float, float, float]:
    """(equity, available, im, mm, denom) in USD; NaN when the wallet cannot tell."""
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
    if np.isnan(im) and positions_usd and all(np.isfinite(p[0]) for p in positions_usd):
        im = sum(p[0] for p in positions_usd)
    if np.isnan(mm) and positions_usd and all(np.isfinite(p[1]) for p in positions_usd):
        mm = sum(p[1] for p in positions_usd)
    rate = _f(wallet.mm_rate)
    if np.isfinite(rate) and rate > 0 and np.isfinite(_f(wallet.total_mm_usd)):
        denom = float(wallet.total_mm_usd) / rate  # type: ignore[arg-type]
    elif margin_mode is MarginMode.PORTFOLIO:
        denom = equity
    else:
        denom = _f(wallet.total_margin_balance_usd)
    return equity, _f(wallet.total_available_balance_usd), im, mm, denom


def _mode(state: AccountState, denom: float, mm: float) -> int:
    assert state.data is not None
    info, wallet = state.data.info, state.data.wallet
    if info.margin_mode is MarginMode.ISOLATED:
        return MODE_ISOLATED
    if info.is_classic and wallet.mm_rate is None:
        return MODE_POSITION
    return MODE_RATE if np.isfinite(denom) and np.isfinite(mm) else MODE_POSITION


def book_from_snapshot(
    snapshot: PortfolioSnapshot, *, underlying_prices: Mapping[str, float] | None = None
) -> Book:
    """Convert a snapshot into a Book. `underlying_prices` (coin -> USD) prices option underlyings and
    coin collateral where no linear/inverse position of the coin gives a mark."""
    rows = [
        (i, a, p) for i, a in enumerate(snapshot.accounts) if a.data is not None for p in a.data.positions
    ]
    coin_of = [base_coin(p.symbol, p.category) for _, _, p in rows]
    coins = tuple(sorted(set(coin_of)))
    index = {c: k for k, c in enumerate(coins)}
    coin_usd: dict[str, float] = {c: 1.0 for c in USD_STABLECOINS}
    coin_usd.update({c: float(v) for c, v in (underlying_prices or {}).items()})
    for (_, _, p), c in zip(rows, coin_of, strict=True):
        if p.category is not Category.OPTION and p.mark_price is not None and c not in coin_usd:
            coin_usd[c] = float(p.mark_price)

    cols: dict[str, list[float]] = {
        k: []
        for k in (
            "acc",
            "coin",
            "kind",
            "dir",
            "size",
            "mark",
            "entry",
            "liq",
            "lev",
            "im",
            "mm",
            "value",
            "upnl",
            "delta",
            "under",
        )
    }
    for (i, _, p), c in zip(rows, coin_of, strict=True):
        kind = _KINDS.get(p.category, KIND_LINEAR)
        size = float(p.size)
        mark = _f(p.mark_price) if p.mark_price is not None else coin_usd.get(c, _f(p.entry_price))
        to_usd = mark if kind == KIND_INVERSE else 1.0  # inverse money fields are in coin
        value = size if kind == KIND_INVERSE else size * mark
        for key, v in (
            ("acc", i),
            ("coin", index[c]),
            ("kind", kind),
            ("dir", 1.0 if p.side is Side.LONG else -1.0),
            ("size", size),
            ("mark", mark),
            ("entry", _f(p.entry_price)),
            ("liq", _f(p.liq_price)),
            ("lev", _f(p.leverage)),
            ("im", _f(p.im) * to_usd),
            ("mm", _f(p.mm) * to_usd),
            ("value", value),
            ("upnl", _f(p.unrealised_pnl) * to_usd),
            ("delta", _f(p.delta)),
            ("under", coin_usd.get(c, _NAN) if kind == KIND_OPTION else _NAN),
        ):
            cols[key].append(v)
    arr = {k: np.asarray(v, dtype=np.float64) for k, v in cols.items()}
    p_acc = arr["acc"].astype(np.int64)

    n_acc = len(snapshot.accounts)
    figures = np.full((n_acc, 5), _NAN)
    modes = np.full(n_acc, MODE_POSITION, dtype=np.int8)
    for i, state in enumerate(snapshot.accounts):
        if state.data is None:
            continue
        mine = p_acc == i
        pos_usd = list(zip(arr["im"][mine].tolist(), arr["mm"][mine].tolist(), strict=True))
        figures[i] = _wallet_figures(state.data.wallet, pos_usd, coin_usd, state.data.info.margin_mode)
        modes[i] = _mode(state, figures[i, 4], figures[i, 3])
    mm_eff = _attribute_mm(p_acc, arr["mm"], arr["value"], figures[:, 3], n_acc)
    return Book(
        taken_at=snapshot.taken_at,
        source="snapshot",
        account_ids=tuple(a.account_id for a in snapshot.accounts),
        names=tuple(a.name for a in snapshot.accounts),
        errors=tuple(a.error for a in snapshot.accounts),
        margin_modes=tuple(
            None if a.data is None or a.data.info.margin_mode is None else a.data.info.margin_mode.value
            for a in snapshot.accounts
        ),
        classic=tuple(a.data is not None and a.data.info.is_classic for a in snapshot.accounts),
        fetched_at=tuple(None if a.data is None else a.data.fetched_at for a in snapshot.accounts),
        a_has_data=np.array([a.data is not None for a in snapshot.accounts], dtype=bool),
        a_ok=np.array([a.ok for a in snapshot.accounts], dtype=bool),
        a_mode=modes,
        a_equity=figures[:, 0],
        a_available=figures[:, 1],
        a_im=figures[:, 2],
        a_mm=figures[:, 3],
        a_denom=figures[:, 4],
        symbols=tuple(p.symbol for _, _, p in rows),
        categories=tuple(p.category for _, _, p in rows),
        position_idx=tuple(p.position_idx for _, _, p in rows),
        p_acc=p_acc,
        p_coin=arr["coin"].astype(np.int64),
        p_kind=arr["kind"].astype(np.int8),
        p_dir=arr["dir"],
        p_size=arr["size"],
        p_mark=arr["mark"],
        p_entry=arr["entry"],
        p_liq=arr["liq"],
        p_lev=arr["lev"],
        p_im=arr["im"],
        p_mm=arr["mm"],
        p_mm_eff=mm_eff,
        p_value=arr["value"],
        p_upnl=arr["upnl"],
        p_delta=arr["delta"],
        p_under=arr["under"],
        coins=coins,
        coin_price=np.array([coin_usd.get(c, _NAN) for c in coins], dtype=np.float64),
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
