"""Bybit's margin formulas (REFERENCE.md §8), written independently of desktop_app.risk.

Everything is Decimal. `side_sign` is +1 for a long (Buy) and −1 for a short (Sell). Linear values are
in the quote/settle coin (USDT/USDC); inverse values are in the base coin and sizes are USD contracts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from desktop_app.exchange_sim.instruments import Tier, tier_for

ZERO = Decimal(0)
ONE = Decimal(1)


def position_value(size: Decimal, price: Decimal, *, inverse: bool) -> Decimal:
    """Linear: size × price (quote coin). Inverse: size / price (base coin)."""
    return size / price if inverse else size * price


def initial_margin(value: Decimal, leverage: Decimal) -> Decimal:
    """IM = position value / leverage."""
    return value / leverage


def maintenance_margin(value: Decimal, tiers: tuple[Tier, ...]) -> tuple[Decimal, Tier]:
    """MM = PV × MMR(tier) − MM deduction(tier), the tier being the first whose limit >= PV (§8.1)."""
    tier = tier_for(tiers, value)
    return value * tier.mm_rate - tier.mm_deduction, tier


def unrealised_pnl(side_sign: int, size: Decimal, entry: Decimal, mark: Decimal, *, inverse: bool) -> Decimal:
    """Linear: (mark − entry) × size × dir. Inverse (coin): size × (1/entry − 1/mark) × dir."""
    if inverse:
        return size * (ONE / entry - ONE / mark) * side_sign
    return (mark - entry) * size * side_sign


def isolated_liq_price_linear(side_sign: int, size: Decimal, entry: Decimal, leverage: Decimal,
                              tiers: tuple[Tier, ...], extra_margin: Decimal = ZERO) -> Decimal:
    """§8.2: long LP = entry − (IM − MM)/size − extra/size; short LP = entry + (IM − MM)/size + extra/size,
    with IM and MM taken on the entry value."""
    value = size * entry
    mm, _ = maintenance_margin(value, tiers)
    im = initial_margin(value, leverage)
    return entry - side_sign * ((im - mm) / size + extra_margin / size)


def isolated_liq_price_inverse(side_sign: int, size: Decimal, entry: Decimal, leverage: Decimal,
                               tiers: tuple[Tier, ...], extra_margin: Decimal = ZERO) -> Decimal:
    """§8.3: long LP = qty / [PV + (IM − MM)]; short LP = qty / [PV − (IM − MM)] (PV = qty/entry, coin);
    extra margin (coin) widens the buffer the same way."""
    value = size / entry
    mm, _ = maintenance_margin(value, tiers)
    buffer = initial_margin(value, leverage) - mm + extra_margin
    denominator = value + side_sign * buffer
    return size / denominator if denominator > 0 else ZERO


def bankruptcy_price(side_sign: int, entry: Decimal, leverage: Decimal) -> Decimal:
    """0 % margin level: long entry × (1 − 1/lev), short entry × (1 + 1/lev)."""
    return entry * (ONE - side_sign * ONE / leverage)


def cross_liq_price_estimate(side_sign: int, size: Decimal, mark: Decimal, tier: Tier,
                             margin_balance: Decimal, total_mm: Decimal) -> Decimal | None:
    """The mark of this one linear position at which the account MM rate reaches 100 %, all else fixed.

    Solves MB + dir×size×(p − mark) = (total_mm − MM_pos(mark)) + size×p×MMR − deduction for p.
    Returns None when no positive price satisfies it (the position cannot liquidate the account alone).
    """
    other_mm = total_mm - (size * mark * tier.mm_rate - tier.mm_deduction)
    denominator = size * (side_sign - tier.mm_rate)
    if denominator == 0:
        return None
    price = (other_mm - tier.mm_deduction - margin_balance + side_sign * size * mark) / denominator
    return price if price > 0 else None


def break_even_price(side_sign: int, size: Decimal, entry: Decimal, realised_pnl: Decimal,
                     taker_fee_rate: Decimal) -> Decimal:
    """(entry × qty − realisedPnl) / (qty − |qty| × max(taker, 0.00055)) with qty signed (REFERENCE §4.2)."""
    qty = size * side_sign
    fee = max(taker_fee_rate, Decimal("0.00055"))
    return (entry * qty - realised_pnl) / (qty - size * fee)


@dataclass(frozen=True, slots=True)
class AccountTotals:
    wallet_balance: Decimal      # Σ wallet balances in USD
    perp_upl: Decimal            # Σ unrealised PnL in USD
    initial_margin: Decimal
    maintenance_margin: Decimal
    portfolio_margin: bool = False

    @property
    def margin_balance(self) -> Decimal:
        """Wallet balance + perp UPL (no spot borrow or haircut in the simulator)."""
        return self.wallet_balance + self.perp_upl

    @property
    def equity(self) -> Decimal:
        return self.wallet_balance + self.perp_upl

    @property
    def rate_base(self) -> Decimal:
        # Cross divides by margin balance, portfolio margin by equity (§8.4); equal here, kept apart
        # so the formula stays right if collateral haircuts are ever added.
        return self.equity if self.portfolio_margin else self.margin_balance

    @property
    def im_rate(self) -> Decimal:
        return self._rate(self.initial_margin)

    @property
    def mm_rate(self) -> Decimal:
        return self._rate(self.maintenance_margin)

    @property
    def available(self) -> Decimal:
        """Cross: margin balance − total IM; PM: equity − total IM."""
        return self.rate_base - self.initial_margin

    def _rate(self, margin: Decimal) -> Decimal:
        if self.rate_base <= 0:
            # Nothing left to cover the margin: report the account as fully consumed.
            return ONE if margin > 0 else ZERO
        return margin / self.rate_base
