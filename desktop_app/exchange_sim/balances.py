"""What each coin of an account can move now (transfer, withdraw, spend on spot), from the same
valuation as /v5/account/wallet-balance, so the asset, account and spot endpoints agree with it.

Unified account, Bybit's rule ("Get Transferable Amount (Unified)"): the coin amount that
totalAvailableBalance buys back at the coin's collateral ratio (1 in the simulator, which values
collateral without haircut), capped at the coin's own wallet balance (nothing is locked in orders).
Classic contract wallet: the wallet balance less the coin's position IM, as its availableToWithdraw.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from desktop_app.exchange_sim.valuation import AccountValue

_Q8 = Decimal("0.00000001")
ZERO = Decimal(0)


def transferable(valued: AccountValue) -> dict[str, Decimal]:
    """coin -> amount (never negative); coins the account does not hold are absent (0)."""
    out: dict[str, Decimal] = {}
    for c in valued.coins:
        if valued.account.classic:
            amount = c.wallet_balance - c.position_im
        else:
            # Rounded down: a client that moves this much must never be refused.
            amount = min(c.wallet_balance, valued.totals.available / c.usd_price).quantize(_Q8, ROUND_DOWN)
        out[c.coin] = max(amount, ZERO)
    return out


def wallet_balances(valued: AccountValue) -> dict[str, Decimal]:
    return {c.coin: c.wallet_balance for c in valued.coins}
