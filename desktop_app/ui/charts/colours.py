"""Chart colours by a fixed rule: accounts and coins each keep one colour in every chart and session."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence

# Twelve hues that stay distinguishable and readable on light and dark backgrounds, for accounts.
PALETTE = (
    "#3b82f6", "#d98a00", "#2f9e5b", "#e0464b", "#8b5cf6", "#0ea5b7",
    "#c2410c", "#db2777", "#65a30d", "#64748b", "#a16207", "#4f46e5",
)
# Coins have hues of their own (the majors the colours traders know them by), so that BTC is never
# mistaken for an account's curve.
COIN_PALETTE = (
    "#f7931a", "#627eea", "#9945ff", "#00aae4", "#c2a633", "#e84142",
    "#2a9d8f", "#8d6e63", "#ec4899", "#16a34a", "#94a3b8", "#0f766e",
)
WELL_KNOWN_COINS = ("BTC", "ETH", "SOL", "XRP", "DOGE", "AVAX", "TON", "LINK", "ADA", "USDT", "USDC", "BNB")


class ColourMap:
    """One colour per name by a fixed rule, the same in every chart and every session, whichever order
    the charts meet their series in: the n-th name of `set_order` (the configured accounts) takes the
    n-th colour; any other name a slot picked by a hash of the name, the first one no ordered name
    holds (a removed account still in the history keeps one colour, apart from the configured ones)."""

    def __init__(self, palette: Sequence[str] = PALETTE, order: Iterable[str] = ()) -> None:
        self._palette = tuple(palette)
        self._order: dict[str, int] = {}
        self.set_order(order)

    def set_order(self, names: Iterable[str]) -> None:
        order: dict[str, int] = {}
        for name in names:
            order.setdefault(name, len(order))
        self._order = order

    def colour(self, name: str) -> str:
        size = len(self._palette)
        index = self._order.get(name)
        if index is None:
            taken = {i % size for i in self._order.values()}
            start = zlib.crc32(name.encode("utf-8")) % size  # stable between runs, unlike hash()
            index = next((slot for k in range(size) if (slot := (start + k) % size) not in taken), start)
        return self._palette[index % size]


# Accounts by name, for every chart of the session (History and Journal alike): the window sets the
# configured order, so Main is the same colour wherever and whenever it is drawn.
ACCOUNT_COLOURS = ColourMap()
COIN_COLOURS = ColourMap(COIN_PALETTE, WELL_KNOWN_COINS)
