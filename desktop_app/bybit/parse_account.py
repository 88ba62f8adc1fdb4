"""Parsers for the private account endpoints: wallet balance, account info and API key info
(REFERENCE.md §4.3–§4.5). Each takes the envelope's `result` and raises only `BybitParseError`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from desktop_app.bybit.errors import BybitParseError
from desktop_app.bybit.parse_fields import Fields, short_repr
from desktop_app.domain.account import AccountInfo, MarginMode, Wallet, WalletCoin
from desktop_app.domain.api_key import ApiKeyInfo

# query-api writes "no expiry" as the epoch.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_ISO_CHARS = 40


def _wallet_coin(row: Fields) -> WalletCoin:
    return WalletCoin(
        coin=row.text("coin"),
        equity=row.opt_dec("equity"),
        usd_value=row.opt_dec("usdValue"),
        wallet_balance=row.opt_dec("walletBalance"),
        unrealised_pnl=row.opt_dec("unrealisedPnl"),
        total_position_im=row.opt_dec("totalPositionIM"),
        total_position_mm=row.opt_dec("totalPositionMM"),
    )


def parse_wallets(result: object) -> tuple[Wallet, ...]:
    """Every entry of `/v5/account/wallet-balance` `result.list`. Classic (CONTRACT) wallets send
    "" for the account-level fields, which become None. May raise: BybitParseError."""
    wallets = []
    for item in Fields(result, "wallet balance").array("list"):
        row = Fields(item, "wallet balance", what="list item")
        coins = tuple(
            _wallet_coin(Fields(coin, "wallet balance", what="coin item"))
            for coin in row.array("coin", optional=True)
        )
        wallets.append(
            Wallet(
                account_type=row.text("accountType"),
                total_equity_usd=row.opt_dec("totalEquity"),
                total_wallet_balance_usd=row.opt_dec("totalWalletBalance"),
                total_margin_balance_usd=row.opt_dec("totalMarginBalance"),
                total_available_balance_usd=row.opt_dec("totalAvailableBalance"),
                total_perp_upl_usd=row.opt_dec("totalPerpUPL"),
                total_im_usd=row.opt_dec("totalInitialMargin"),
                total_mm_usd=row.opt_dec("totalMaintenanceMargin"),
                im_rate=row.opt_dec("accountIMRate"),
                mm_rate=row.opt_dec("accountMMRate"),
                coins=coins,
            )
        )
    return tuple(wallets)


def parse_account_info(result: object) -> AccountInfo:
    """`/v5/account/info`. An unknown marginMode is an error rather than a guess.
    May raise: BybitParseError."""
    fields = Fields(result, "account info")
    mode_text = fields.opt_text("marginMode")
    try:
        margin_mode = None if mode_text is None else MarginMode(mode_text)
    except ValueError:
        raise BybitParseError(
            f"account info: field 'marginMode' is unknown: {short_repr(mode_text)}"
        ) from None
    return AccountInfo(
        unified_margin_status=fields.integer("unifiedMarginStatus"),
        margin_mode=margin_mode,
        is_master_trader=fields.flag("isMasterTrader", default=False),
        updated_ms=fields.opt_integer("updatedTime"),
    )


def _iso_time(fields: Fields, key: str) -> datetime | None:
    """An ISO-8601 time as an aware UTC datetime; "", missing and the epoch (query-api's "never")
    are None. A time without an offset is taken as UTC, which is what Bybit sends."""
    text = fields.opt_text(key)
    if text is None:
        return None
    try:
        if len(text) > _MAX_ISO_CHARS:
            raise ValueError(text)
        moment = datetime.fromisoformat(text)
        # Normalised here so that year-1/year-9999 offsets fail now, not in a caller's astimezone().
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise BybitParseError(
            f"{fields.where}: field {key!r} is not an ISO time: {short_repr(text)}"
        ) from None
    return None if moment == _EPOCH else moment


def _string_tuple(values: list[object], where: str, field: str) -> tuple[str, ...]:
    for value in values:
        if not isinstance(value, str):
            raise BybitParseError(f"{where}: field {field!r} holds a non-string: {short_repr(value)}")
    return tuple(str(value) for value in values)


def _key_id(fields: Fields) -> str:
    # The docs send the key's id as a string; accept a JSON int too (it is a number in spirit).
    value = fields.raw("id")
    return str(fields.integer("id")) if isinstance(value, int) else fields.text("id")


def parse_api_key_info(result: object) -> ApiKeyInfo:
    """`/v5/user/query-api`. Reads no secret: the `secret` and `apiKey` fields are ignored.
    May raise: BybitParseError."""
    fields = Fields(result, "api key info")
    groups = fields.sub("permissions")
    permissions: list[tuple[str, tuple[str, ...]]] = []
    if groups is not None:
        for group in groups.names():
            scopes = groups.array(group, optional=True)
            permissions.append((group, _string_tuple(scopes, fields.where, f"permissions.{group}")))
    return ApiKeyInfo(
        key_id=_key_id(fields),
        note=fields.text("note", default=""),
        read_only=fields.flag("readOnly"),
        permissions=tuple(permissions),
        ips=_string_tuple(fields.array("ips", optional=True), fields.where, "ips"),
        deadline_day=fields.opt_integer("deadlineDay"),
        expires_at=_iso_time(fields, "expiredAt"),
        created_at=_iso_time(fields, "createdAt"),
        is_unified=fields.flag("uta", default=False),
        user_id=fields.opt_integer("userID"),
        is_master=fields.flag("isMaster", default=False),
    )
