"""A portfolio snapshot as flat float64 arrays: converted once (convert.py), then every figure is vectorised.

Conventions (all money in USD):
- linear and option money fields are in USDT/USDC, taken as 1 USD (see coins.USD_STABLECOINS);
- inverse money fields are in the base coin and are converted at the position's mark price;
- `value_usd` is the notional at the mark price (linear size x mark, inverse the USD contracts,
  option size x option mark), not Bybit's positionValue at entry, so that it moves with the market;
- unknown numbers are NaN in arrays and None in results, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop_app.domain.market import Category

# How an account is liquidated.
MODE_RATE = 0  # UTA cross / portfolio margin: account MM rate, liquidation at 1.0
MODE_ISOLATED = 1  # each position at its own liqPrice; its loss is capped at its margin
MODE_POSITION = 2  # no account rates (classic): cross money, but liquidated when a position reaches liqPrice

KIND_LINEAR, KIND_INVERSE, KIND_OPTION = 0, 1, 2


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
    unique_symbols: tuple[str, ...]  # each symbol once, so that repricing looks up each mark once
    p_symbol: np.ndarray  # int64 index into unique_symbols
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
    # (accounts x coins) wallet balance, in coin units, of each held coin that is not a USD stablecoin
    # (e.g. BTC collateral of inverse contracts): its USD value, part of equity and of the MM-rate
    # denominator, moves with the coin's price.
    a_collateral: np.ndarray

    def collateral_coef(self) -> np.ndarray:
        """(accounts x coins) USD change of each account's coin collateral per unit return of the coin."""
        return self.a_collateral * np.nan_to_num(self.coin_price)[None, :]

    def entry_margined(self) -> np.ndarray:
        """Per position: its IM/MM are fixed at entry (isolated margin and classic accounts), not at mark."""
        fixed = np.array(
            [m == "ISOLATED_MARGIN" or c for m, c in zip(self.margin_modes, self.classic, strict=True)],
            dtype=bool,
        )
        return fixed[self.p_acc] if self.n_positions else np.zeros(0, dtype=bool)

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
