"""The positions of a report as read-only columns that read like a tuple of `PositionRisk`.

A recompute at tick rate (every streamed mark) must not build one Python object per position: 2,000
frozen dataclasses cost more than all the array maths together, and the GUI reads them once a second
at most. So the report keeps the columns and builds the rows the first time someone reads them
(iteration, slicing, equality, hashing), then keeps them. Indexing one row builds just that row.

Columns follow the `PositionRisk` fields: floats are float64 arrays with NaN for unknown (None in
rows); accounts and coins are int64 indexes into `account_names`/`account_ids` and `coins`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np

from desktop_app.domain.limits import MAX_SHOWN
from desktop_app.domain.market import Category
from desktop_app.risk.results import PositionRisk

FIELD_NAMES = tuple(f.name for f in dataclasses.fields(PositionRisk))
# The float columns whose unknown values are None in rows (NaN in arrays), in field order.
OPTIONAL_FLOAT_COLUMNS = (
    "entry_price",
    "mark_price",
    "value_usd",
    "leverage",
    "liq_price",
    "liq_distance",
    "unrealised_pnl_usd",
    "im_usd",
    "mm_usd",
)
_SIDES = np.array(["short", "long"], dtype=object)


def _read_only(values: np.ndarray, dtype: type) -> np.ndarray:
    """A read-only view, so the caller's (the Book's) array stays writable and the table stays frozen."""
    view = np.asarray(values, dtype=dtype).view()
    view.flags.writeable = False
    return view


def _as_list(values: np.ndarray, *, finite_only: bool = False) -> list[Any]:
    """Floats as a list with NaN (and, with finite_only, ±inf and figures past MAX_SHOWN) as None;
    object arrays keep this C-fast."""
    with np.errstate(invalid="ignore"):
        bad = ~(np.isfinite(values) & (np.abs(values) <= MAX_SHOWN)) if finite_only else np.isnan(values)
    if not bad.any():
        return values.tolist()
    out = values.astype(object)
    out[bad] = None
    return out.tolist()


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class PositionTable(Sequence[PositionRisk]):
    """Columns of the positions of one report; a `Sequence[PositionRisk]` equal to the tuple of its rows."""

    account_names: tuple[str, ...]  # per account
    account_ids: tuple[str, ...]  # per account
    coins: tuple[str, ...]  # per coin
    categories: tuple[Category, ...]  # per position (a str enum; rows carry its plain value)
    symbols: tuple[str, ...]
    position_idx: tuple[int, ...]
    account_index: np.ndarray  # int64 index into account_names / account_ids
    coin_index: np.ndarray  # int64 index into coins
    direction: np.ndarray  # +1 long, -1 short
    size: np.ndarray
    entry_price: np.ndarray
    mark_price: np.ndarray
    value_usd: np.ndarray
    leverage: np.ndarray
    liq_price: np.ndarray
    liq_distance: np.ndarray
    unrealised_pnl_usd: np.ndarray
    im_usd: np.ndarray
    mm_usd: np.ndarray
    exposure_usd: np.ndarray  # signed, never NaN
    stale: np.ndarray  # bool
    # The materialised rows, once built: a one-slot box because the dataclass itself is frozen.
    _rows: list[tuple[PositionRisk, ...]] = field(default_factory=list, init=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("account_index", "coin_index"):
            object.__setattr__(self, name, _read_only(getattr(self, name), np.int64))
        for name in ("direction", "size", *OPTIONAL_FLOAT_COLUMNS, "exposure_usd"):
            object.__setattr__(self, name, _read_only(getattr(self, name), np.float64))
        object.__setattr__(self, "stale", _read_only(self.stale, np.bool_))
        per_position = ("categories", "position_idx", "account_index", "coin_index", "direction", "size",
                        *OPTIONAL_FLOAT_COLUMNS, "exposure_usd", "stale")
        n = len(self.symbols)
        if len(self.account_names) != len(self.account_ids) or any(
            len(getattr(self, name)) != n for name in per_position
        ):
            raise ValueError("every per-position column must have one value per position")

    def columns(self, *, finite_only: bool = False) -> tuple[list[Any], ...]:
        """Plain-Python columns in `PositionRisk` field order (None = unknown; with finite_only, ±inf too)."""
        names = np.array(self.account_names, dtype=object)[self.account_index].tolist()
        ids = np.array(self.account_ids, dtype=object)[self.account_index].tolist()
        coins = np.array(self.coins, dtype=object)[self.coin_index].tolist()
        values = {c: c.value for c in set(self.categories)}  # plain str, as asdict/JSON expect
        floats = [_as_list(getattr(self, name), finite_only=finite_only) for name in OPTIONAL_FLOAT_COLUMNS]
        return (
            names,
            ids,
            [values[c] for c in self.categories],
            list(self.symbols),
            list(self.position_idx),
            coins,
            _SIDES[(self.direction > 0).astype(np.intp)].tolist(),
            # size and exposure are never unknown: rows carry their floats as they are (even ±inf).
            _as_list(self.size, finite_only=True) if finite_only else self.size.tolist(),
            *floats,
            _as_list(self.exposure_usd, finite_only=True) if finite_only else self.exposure_usd.tolist(),
            self.stale.tolist(),
        )

    def rows(self) -> tuple[PositionRisk, ...]:
        """Every row, built on first use and kept (later calls are free)."""
        if not self._rows:
            self._rows.append(tuple(map(PositionRisk, *self.columns())))
        return self._rows[0]

    def row(self, j: int) -> PositionRisk:
        """Row j alone, without building the others. May raise: IndexError."""
        n = len(self)
        if not -n <= j < n:
            raise IndexError("position index out of range")
        j %= n
        if self._rows:
            return self._rows[0][j]
        opt = [float(getattr(self, name)[j]) for name in OPTIONAL_FLOAT_COLUMNS]
        a, c = int(self.account_index[j]), int(self.coin_index[j])
        return PositionRisk(
            self.account_names[a],
            self.account_ids[a],
            self.categories[j].value,
            self.symbols[j],
            self.position_idx[j],
            self.coins[c],
            "long" if self.direction[j] > 0 else "short",
            float(self.size[j]),
            *(None if v != v else v for v in opt),
            float(self.exposure_usd[j]),
            bool(self.stale[j]),
        )

    def __len__(self) -> int:
        return len(self.symbols)

    @overload
    def __getitem__(self, index: int) -> PositionRisk: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[PositionRisk, ...]: ...
    def __getitem__(self, index: int | slice) -> PositionRisk | tuple[PositionRisk, ...]:
        if isinstance(index, slice):
            return self.rows()[index]
        return self.row(index.__index__())

    def __iter__(self) -> Iterator[PositionRisk]:
        return iter(self.rows())

    def __eq__(self, other: object) -> bool:
        # Equal to the tuple of its rows, as `RiskReport.positions` was a tuple before it was a table.
        if self is other:
            return True
        if isinstance(other, PositionTable | tuple):
            return len(self) == len(other) and self.rows() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.rows())

    def __reduce__(self) -> tuple[type[PositionTable], tuple[Any, ...]]:
        # Rebuild through __init__, so an unpickled (or deep-copied) table has read-only columns too.
        return type(self), tuple(getattr(self, f.name) for f in dataclasses.fields(self) if f.init)

    def __repr__(self) -> str:
        return f"PositionTable({len(self)} positions)"

