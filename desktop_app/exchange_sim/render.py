"""Bybit's exact JSON shapes for account data: numbers as strings, "" for empty (REFERENCE §3, §4)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from desktop_app.exchange_sim import margin
from desktop_app.exchange_sim.accounts import SimAccount
from desktop_app.exchange_sim.instruments import Instrument
from desktop_app.exchange_sim.valuation import TAKER_FEE_RATE, AccountValue, PositionValue, empty_tier

_EPOCH_CREATED_MS = 1_676_538_056_258   # a fixed "first time this symbol was traded"


def num(value: Decimal, places: int = 8) -> str:
    """Fixed-point string without exponent or trailing zeros ("0" for zero)."""
    text = format(value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def rate(value: Decimal) -> str:
    """Account rates are printed with 4 decimals, like Bybit's "0.0226"."""
    return format(value.quantize(Decimal("0.0001"), ROUND_HALF_EVEN), "f")


def price(inst: Instrument, value: Decimal) -> str:
    return format(inst.round_price(value), "f")


def _liq_text(p: PositionValue) -> str:
    # "" when the estimate falls outside the instrument's price band (REFERENCE §4.2).
    if p.liq_price is None or not p.instrument.min_price < p.liq_price < p.instrument.max_price:
        return ""
    return format(p.instrument.round_liq_price(p.liq_price, p.spec.side_sign), "f")


def position_row(p: PositionValue, account: SimAccount, now_ms: int) -> dict[str, object]:
    spec, inst = p.spec, p.instrument
    pm = account.margin_mode == "PORTFOLIO_MARGIN"
    places = 8
    im = "" if pm else num(p.im, places)
    mm = "" if pm else num(p.mm, places)
    bep = margin.break_even_price(spec.side_sign, spec.size, spec.entry_price, p.cur_realised_pnl,
                                  TAKER_FEE_RATE)
    return {
        "positionIdx": spec.position_idx,
        "riskId": 0 if pm else p.tier.tier_id,
        "riskLimitValue": "0" if pm else num(p.tier.risk_limit_value),
        "symbol": spec.symbol,
        "side": spec.side,
        "size": num(spec.size),
        "avgPrice": num(spec.entry_price),
        "positionValue": num(p.value_entry, places),
        "tradeMode": 0,
        "positionStatus": "Normal",
        "autoAddMargin": 0,
        "adlRankIndicator": 2,
        "leverage": "" if pm else num(spec.leverage),
        "breakEvenPrice": price(inst, bep),
        "positionBalance": im,
        "markPrice": price(inst, p.mark),
        "liqPrice": "" if pm else _liq_text(p),
        "bustPrice": "",
        "positionMM": mm,
        "positionMMByMp": mm,
        "positionIM": im,
        "positionIMByMp": im,
        "tpslMode": "Full",
        "takeProfit": "",
        "stopLoss": "",
        "trailingStop": "0",
        "sessionAvgPrice": num(spec.entry_price) if inst.settle_coin == "USDC" else "",
        "unrealisedPnl": num(p.upl, places),
        "curRealisedPnl": num(p.cur_realised_pnl, places),
        "cumRealisedPnl": num(spec.cum_realised_pnl, places),
        "seq": 5_723_621_632 + inst.symbol_id * 1000 + spec.position_idx,
        "isReduceOnly": False,
        "mmrSysUpdatedTime": "",
        "leverageSysUpdatedTime": "",
        "createdTime": str(_EPOCH_CREATED_MS + inst.symbol_id),
        "updatedTime": str(now_ms - now_ms % 1000),
        "openTime": 0,
    }


def empty_position_row(inst: Instrument, mark: Decimal, position_idx: int, now_ms: int) -> dict[str, object]:
    """The row Bybit returns for a symbol query with no position (size 0, side "")."""
    tier = empty_tier(inst)
    return {
        "positionIdx": position_idx, "riskId": tier.tier_id, "riskLimitValue": num(tier.risk_limit_value),
        "symbol": inst.symbol, "side": "", "size": "0", "avgPrice": "0", "positionValue": "0",
        "tradeMode": 0, "positionStatus": "Normal", "autoAddMargin": 0, "adlRankIndicator": 0,
        "leverage": "10", "breakEvenPrice": "0", "positionBalance": "0", "markPrice": price(inst, mark),
        "liqPrice": "", "bustPrice": "", "positionMM": "0", "positionMMByMp": "0", "positionIM": "0",
        "positionIMByMp": "0", "tpslMode": "Full", "takeProfit": "", "stopLoss": "", "trailingStop": "0",
        "sessionAvgPrice": "", "unrealisedPnl": "0", "curRealisedPnl": "0", "cumRealisedPnl": "0",
        "seq": -1, "isReduceOnly": False, "mmrSysUpdatedTime": "", "leverageSysUpdatedTime": "",
        "createdTime": str(_EPOCH_CREATED_MS + inst.symbol_id), "updatedTime": str(now_ms - now_ms % 1000),
        "openTime": 0,
    }


def unified_wallet(v: AccountValue) -> dict[str, object]:
    t = v.totals
    pm = v.account.margin_mode == "PORTFOLIO_MARGIN"
    coins = []
    for c in v.coins:
        coins.append({
            "coin": c.coin, "equity": num(c.equity), "usdValue": num(c.equity * c.usd_price),
            "walletBalance": num(c.wallet_balance), "locked": "0", "spotHedgingQty": "0",
            "borrowAmount": "0", "accruedInterest": "0", "totalOrderIM": "" if pm else "0",
            "totalPositionIM": "" if pm else num(c.position_im),
            "totalPositionMM": "" if pm else num(c.position_mm),
            "unrealisedPnl": num(c.upl), "cumRealisedPnl": num(sum(
                (p.spec.cum_realised_pnl for p in v.positions if p.instrument.settle_coin == c.coin),
                Decimal(0))),
            "bonus": "0", "marginCollateral": True, "collateralSwitch": True, "colRes": "0",
            "spotBorrow": "0", "free": "", "availableToWithdraw": "", "availableToBorrow": "",
        })
    return {
        "accountType": "UNIFIED",
        "totalEquity": num(t.equity), "totalWalletBalance": num(t.wallet_balance),
        "totalMarginBalance": num(t.margin_balance), "totalAvailableBalance": num(t.available),
        "totalPerpUPL": num(t.perp_upl), "totalInitialMargin": num(t.initial_margin),
        "totalInitialMarginByMp": num(t.initial_margin), "totalMaintenanceMargin": num(t.maintenance_margin),
        "totalMaintenanceMarginByMp": num(t.maintenance_margin),
        "accountIMRate": rate(t.im_rate), "accountIMRateByMp": rate(t.im_rate),
        "accountMMRate": rate(t.mm_rate), "accountMMRateByMp": rate(t.mm_rate),
        "accountLTV": "0", "coin": coins,
    }


def contract_wallet(v: AccountValue) -> dict[str, object]:
    """Classic CONTRACT wallet: per-coin figures only; account-level fields are ""."""
    coins = [{
        "coin": c.coin, "equity": num(c.equity), "usdValue": "", "walletBalance": num(c.wallet_balance),
        "borrowAmount": "", "availableToBorrow": "",
        "availableToWithdraw": num(max(c.wallet_balance - c.position_im, Decimal(0))), "accruedInterest": "",
        "totalOrderIM": "0", "totalPositionIM": num(c.position_im), "totalPositionMM": num(c.position_mm),
        "unrealisedPnl": num(c.upl), "cumRealisedPnl": "0",
    } for c in v.coins]
    blank = ("accountIMRate", "accountMMRate", "totalEquity", "totalWalletBalance", "totalMarginBalance",
             "totalAvailableBalance", "totalPerpUPL", "totalInitialMargin", "totalMaintenanceMargin",
             "accountLTV")
    return {"accountType": "CONTRACT", **dict.fromkeys(blank, ""), "coin": coins}


def account_info(account: SimAccount) -> dict[str, object]:
    return {
        "marginMode": account.margin_mode, "updatedTime": "1697078946000",
        "unifiedMarginStatus": 1 if account.classic else 3 if account.uta1 else 5, "dcpStatus": "OFF",
        "timeWindow": 10,
        "smpGroup": 0, "isMasterTrader": False, "spotHedgingStatus": "OFF",
    }


# An IP-unbound key expires 90 days after it was made; the demo keys were "made" a week ago, so they
# are always 83 days from expiry, whatever today is (a fixed date would turn into an alert one day).
UNBOUND_KEY_DAYS_LEFT = 83


def wallet_permissions(account: SimAccount) -> list[str]:
    """The key's Wallet permissions; the asset and sub-member endpoints check them."""
    return (["AccountTransfer", "SubMemberTransfer"] if not account.read_only else []) + \
        (["Withdraw"] if account.can_withdraw else [])


def api_key_info(account: SimAccount, server_ms: int) -> dict[str, object]:
    ip_bound = account.ip_whitelist != ("*",)
    day_ms = 86_400_000
    expires = datetime.fromtimestamp((server_ms + UNBOUND_KEY_DAYS_LEFT * day_ms) // 1000, UTC)
    created = datetime.fromtimestamp((server_ms - 7 * day_ms) // 1000, UTC)
    trade = [] if account.read_only else ["Order", "Position"]
    wallet = wallet_permissions(account)
    return {
        "id": str(2_208_000 + account.uid % 1000), "note": f"riskdesk demo ({account.name})",
        "apiKey": account.api_key, "readOnly": 1 if account.read_only else 0, "secret": "",
        "permissions": {
            "ContractTrade": trade, "Spot": [] if account.read_only else ["SpotTrade"], "Wallet": wallet,
            "Options": [], "Derivatives": [], "CopyTrading": [], "BlockTrade": [], "Exchange": [],
            "NFT": [], "Affiliate": [], "Earn": [],
        },
        "ips": list(account.ip_whitelist), "type": 1,
        "deadlineDay": -2 if ip_bound else UNBOUND_KEY_DAYS_LEFT,
        "expiredAt": "1970-01-01T00:00:00Z" if ip_bound else expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "createdAt": created.strftime("%Y-%m-%dT%H:%M:%SZ"), "unified": 0, "uta": 0 if account.classic else 1,
        "userID": account.uid, "inviterID": 0, "vipLevel": "No VIP", "mktMakerLevel": "0", "affiliateID": 0,
        "rsaPublicKey": account.rsa_public_key, "isMaster": True, "parentUid": "0",
        "kycLevel": "LEVEL_1", "kycRegion": "", "userIDInt64": str(account.uid), "inviterIDInt64": "0",
        "affiliateIDInt64": "0",
    }
