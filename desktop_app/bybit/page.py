"""One page of a cursor-paginated Bybit list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a paginated list; `next_cursor` is None on the last page (Bybit sends "")."""

    items: tuple[T, ...]
    next_cursor: str | None
