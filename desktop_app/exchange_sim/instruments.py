"""The simulator's instrument catalogue: contracts, price/lot filters and risk-limit tiers.

Tier tables are invented but shaped like Bybit's (REFERENCE.md §4.9): the MM rate steps up with
position value and the `mmDeduction` of each tier follows the recurrence of §8.1, so MM is continuous
at tier boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

D = Decimal


@dataclass(frozen=True, slots=True)
class Tier:
    tier_id: int
    risk_limit_value: Decimal   # position-value cap of the tier (quote coin; base coin for inverse)
    mm_rate: Decimal            # fraction
    im_rate: Decimal            # fraction
    max_leverage: Decimal
    mm_deduction: Decimal       # 0 for the lowest tier (the API prints "")


@dataclass(frozen=True, slots=True)
class Instrument:
    symbol: str
    category: str               # "linear" | "inverse"
    base_coin: str
    quote_coin: str
    settle_coin: str
    contract_type: str          # LinearPerpetual | InversePerpetual
    tick_size: Decimal
    price_scale: int
    qty_step: Decimal
    min_price: Decimal
    max_price: Decimal
    tiers: tuple[Tier, ...]
    symbol_id: int

    @property
    def inverse(self) -> bool:
        return self.category == "inverse"

    def round_price(self, price: float | Decimal, rounding: str = ROUND_HALF_EVEN) -> Decimal:
        """Round to a whole number of ticks, printed with the instrument's price scale."""
        ticks = (D(str(price)) / self.tick_size).to_integral_value(rounding=rounding)
        return (ticks * self.tick_size).quantize(D(1).scaleb(-self.price_scale))

    def round_liq_price(self, price: Decimal, side_sign: int) -> Decimal:
        # Conservative: a long's liquidation price rounds up (towards the mark), a short's down.
        return self.round_price(price, ROUND_CEILING if side_sign > 0 else ROUND_FLOOR)


def build_tiers(rows: list[tuple[Decimal, Decimal, Decimal]], first_id: int) -> tuple[Tier, ...]:
    """Tiers from (risk_limit_value, mm_rate, im_rate) rows sorted by value, with deductions per §8.1:
    MMD(n) = RiskLimit(n−1) × (MMR(n) − MMR(n−1)) + MMD(n−1), MMD(1) = 0."""
    tiers: list[Tier] = []
    deduction = D(0)
    for i, (limit, mmr, imr) in enumerate(rows):
        if i > 0:
            prev = tiers[-1]
            deduction = prev.risk_limit_value * (mmr - prev.mm_rate) + prev.mm_deduction
        tiers.append(Tier(first_id + i, limit, mmr, imr, (D(1) / imr).quantize(D("0.01")), deduction))
    return tuple(tiers)


def tier_for(tiers: tuple[Tier, ...], position_value: Decimal) -> Tier:
    """The first tier whose riskLimitValue >= position value (the last tier above all caps)."""
    for tier in tiers:
        if tier.risk_limit_value >= position_value:
            return tier
    return tiers[-1]


def _ladder(first_limit: str, count: int, base_mmr: str,
            step_mmr: str) -> list[tuple[Decimal, Decimal, Decimal]]:
    # IM rate twice the MM rate, as on most Bybit tier tables (100x / 0.5% at the lowest BTC tier).
    return [
        (D(first_limit) * (i + 1), D(base_mmr) + D(step_mmr) * i, (D(base_mmr) + D(step_mmr) * i) * 2)
        for i in range(count)
    ]


# symbol, category, base, quote, settle, tick, scale, qty step, tier ladder (first limit, n, mmr, step)
_SPECS: tuple[tuple[str, str, str, str, str, str, int, str, tuple[str, int, str, str]], ...] = (
    ("BTCUSDT", "linear", "BTC", "USDT", "USDT", "0.10", 2, "0.001", ("2000000", 5, "0.005", "0.005")),
    ("ETHUSDT", "linear", "ETH", "USDT", "USDT", "0.01", 2, "0.01", ("1000000", 5, "0.005", "0.005")),
    ("SOLUSDT", "linear", "SOL", "USDT", "USDT", "0.010", 3, "0.1", ("200000", 4, "0.01", "0.005")),
    ("XRPUSDT", "linear", "XRP", "USDT", "USDT", "0.0001", 4, "1", ("200000", 3, "0.01", "0.005")),
    ("DOGEUSDT", "linear", "DOGE", "USDT", "USDT", "0.00001", 5, "1", ("200000", 3, "0.01", "0.005")),
    ("ADAUSDT", "linear", "ADA", "USDT", "USDT", "0.0001", 4, "1", ("200000", 3, "0.01", "0.005")),
    ("LINKUSDT", "linear", "LINK", "USDT", "USDT", "0.001", 3, "0.1", ("200000", 3, "0.01", "0.005")),
    ("AVAXUSDT", "linear", "AVAX", "USDT", "USDT", "0.001", 3, "0.1", ("200000", 3, "0.01", "0.005")),
    ("BTCPERP", "linear", "BTC", "USDC", "USDC", "0.10", 2, "0.001", ("2000000", 5, "0.005", "0.005")),
    ("ETHPERP", "linear", "ETH", "USDC", "USDC", "0.01", 2, "0.01", ("1000000", 5, "0.005", "0.005")),
    ("BTCUSD", "inverse", "BTC", "USD", "BTC", "0.50", 2, "1", ("150", 4, "0.005", "0.005")),
    ("ETHUSD", "inverse", "ETH", "USD", "ETH", "0.05", 2, "1", ("1500", 4, "0.005", "0.005")),
)


def _build_catalogue() -> dict[str, Instrument]:
    out: dict[str, Instrument] = {}
    next_tier_id = 1
    for n, (sym, cat, base, quote, settle, tick, scale, step, ladder) in enumerate(_SPECS):
        tiers = build_tiers(_ladder(*ladder), next_tier_id)
        next_tier_id += len(tiers)
        out[sym] = Instrument(
            symbol=sym, category=cat, base_coin=base, quote_coin=quote, settle_coin=settle,
            contract_type="InversePerpetual" if cat == "inverse" else "LinearPerpetual",
            tick_size=D(tick), price_scale=scale, qty_step=D(step),
            min_price=D(tick), max_price=D(tick) * 19_999_998, tiers=tiers, symbol_id=n + 1,
        )
    return out


CATALOGUE: dict[str, Instrument] = _build_catalogue()


def instruments_of(category: str) -> tuple[Instrument, ...]:
    """All instruments of a category, sorted by symbol (the order pages are cut in)."""
    return tuple(sorted((i for i in CATALOGUE.values() if i.category == category), key=lambda i: i.symbol))
