"""BybitClient: the read-only Bybit V5 endpoints RiskDesk needs, for one account on one environment.

Every call goes through `_request`, which hands over to `HttpPool.request` (signing, clock, rate
limits, retries, errors). Paginated lists are followed to the end, sending each `nextPageCursor`
back verbatim (Bybit sends it already percent-encoded and signs the raw query string).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from desktop_app.bybit import parse
from desktop_app.bybit.errors import BybitError, BybitParseError
from desktop_app.bybit.http import HttpPool
from desktop_app.bybit.messages import NO_CREDENTIALS
from desktop_app.bybit.page import Page
from desktop_app.bybit.parse_history import parse_closed_pnl, parse_funding_payments
from desktop_app.bybit.signing import Signer
from desktop_app.domain.account import AccountInfo, Position, Wallet
from desktop_app.domain.api_key import ApiKeyInfo
from desktop_app.domain.credentials import Credentials
from desktop_app.domain.environment import Environment
from desktop_app.domain.journal import ClosedPnl, FundingPayment
from desktop_app.domain.market import Category, FeeRate, Instrument, Kline, RiskTier, Ticker

T = TypeVar("T")

POSITION_PAGE_LIMIT = "200"  # Bybit's maximum; the default of 20 would cost ten times the requests
INSTRUMENT_PAGE_LIMIT = "1000"
CLOSED_PNL_PAGE_LIMIT = "100"  # Bybit's maximum for closed PnL; 50 for the transaction logs
TRANSACTION_LOG_PAGE_LIMIT = "50"
HISTORY_WINDOW_MS = 7 * 86_400_000  # Bybit refuses history queries whose endTime - startTime exceeds it
# More pages than any real account or market has; a server that keeps sending new cursors is broken.
MAX_PAGES = 500
PARAMS_ERROR = 10001  # also "accountType only support UNIFIED." for CONTRACT on UTA 2.0, and vice versa
UNIFIED, CONTRACT = "UNIFIED", "CONTRACT"


class BybitClient:
    """One account (or none, for market data) on one environment. Cheap to create; the pool is shared."""

    def __init__(self, environment: Environment, credentials: Credentials | None, pool: HttpPool, *,
                 recv_window_ms: int = 5000) -> None:
        """May raise: BybitError (BAD_CREDENTIALS) when the credentials cannot sign (e.g. a bad RSA key)."""
        self.environment = environment
        self._pool = pool
        self._signer = Signer(credentials) if credentials is not None else None
        self.recv_window_ms = recv_window_ms
        # The wallet's account type that Bybit accepted last. A classic account answers UNIFIED with
        # 10001 on every poll; asking CONTRACT first saves that request and, more to the point, a whole
        # round trip on the refresh's critical path (the two calls are sequential).
        self._wallet_account_type = UNIFIED

    def __repr__(self) -> str:
        return f"BybitClient(environment={self.environment.label!r}, signer={self._signer!r})"

    async def _request(self, path: str, params: Mapping[str, str | None] | None = None, *,
                       signed: bool) -> object:
        """The `result` of a successful call. May raise: BybitError."""
        if signed and self._signer is None:
            raise BybitError(NO_CREDENTIALS, f"{path}: this account has no API key; add one to read it",
                             endpoint=path)
        envelope = await self._pool.request(
            self.environment.rest_url, path, params, signer=self._signer if signed else None,
            recv_window_ms=self.recv_window_ms, environment_label=self.environment.label,
        )
        return envelope.result

    async def _paginate(self, path: str, params: Mapping[str, str | None], *, signed: bool,
                        parse_page: Callable[[object], Page[T]]) -> tuple[T, ...]:
        items: list[T] = []
        seen: set[str] = set()
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            page = parse_page(await self._request(path, {**params, "cursor": cursor}, signed=signed))
            items.extend(page.items)
            cursor = page.next_cursor
            if cursor is None:
                return tuple(items)
            if cursor in seen:
                raise BybitParseError(f"{path}: Bybit sent the same page cursor twice", endpoint=path)
            seen.add(cursor)
        raise BybitParseError(f"{path}: more than {MAX_PAGES} pages; stopped following cursors",
                              endpoint=path)

    # ----- private (signed) endpoints -------------------------------------------------------------

    async def server_time_ms(self) -> int:
        """Bybit's clock (epoch ms); also refreshes the pool's clock offset for this host.
        May raise: BybitError."""
        clock = await self._pool.sync_clock(self.environment.rest_url)
        return clock.server_now_ms()

    async def positions(self, category: Category, *, settle_coin: str | None = None,
                        symbol: str | None = None) -> tuple[Position, ...]:
        """All open positions of a category (every page). Linear needs `settle_coin` or `symbol`.
        May raise: BybitError, ValueError (linear without settle_coin and symbol)."""
        if category is Category.LINEAR and settle_coin is None and symbol is None:
            raise ValueError("linear positions need settle_coin (USDT, USDC) or symbol")
        params = {"category": category.value, "settleCoin": settle_coin, "symbol": symbol,
                  "limit": POSITION_PAGE_LIMIT}
        return await self._paginate("/v5/position/list", params, signed=True,
                                    parse_page=lambda r: parse.parse_positions(r, settle_coin=settle_coin))

    async def all_positions(self) -> tuple[Position, ...]:
        """Linear USDT, linear USDC, inverse and option positions, fetched concurrently.
        May raise: BybitError (the first failure; the other queries are cancelled)."""
        parts = await gather_or_cancel(
            self.positions(Category.LINEAR, settle_coin="USDT"),
            self.positions(Category.LINEAR, settle_coin="USDC"),
            self.positions(Category.INVERSE),
            self.positions(Category.OPTION),
        )
        return tuple(p for part in parts for p in part)

    async def wallet(self) -> Wallet:
        """The UNIFIED wallet; CONTRACT for classic accounts, tried only when Bybit answers 10001.
        Once CONTRACT was accepted it is asked for first, falling back to UNIFIED on 10001 (the
        account was upgraded). May raise: BybitError, BybitParseError (no wallet in the answer)."""
        path = "/v5/account/wallet-balance"
        account_type = self._wallet_account_type
        try:
            result = await self._request(path, {"accountType": account_type}, signed=True)
        except BybitError as exc:
            if exc.ret_code != PARAMS_ERROR:
                raise
            account_type = CONTRACT if account_type == UNIFIED else UNIFIED
            result = await self._request(path, {"accountType": account_type}, signed=True)
        wallets = parse.parse_wallets(result)
        if not wallets:
            raise BybitParseError("/v5/account/wallet-balance: the answer holds no wallet",
                                  endpoint="/v5/account/wallet-balance")
        self._wallet_account_type = account_type
        return wallets[0]

    async def account_info(self) -> AccountInfo:
        """Margin mode, UTA status, copy-trading leader flag. May raise: BybitError."""
        return parse.parse_account_info(await self._request("/v5/account/info", signed=True))

    async def api_key_info(self) -> ApiKeyInfo:
        """What the key may do, its IP binding and expiry. May raise: BybitError."""
        return parse.parse_api_key_info(await self._request("/v5/user/query-api", signed=True))

    async def fee_rates(self, category: Category, symbol: str | None = None) -> tuple[FeeRate, ...]:
        """The account's taker/maker fee rates. May raise: BybitError."""
        result = await self._request("/v5/account/fee-rate", {"category": category.value, "symbol": symbol},
                                     signed=True)
        return parse.parse_fee_rates(result)

    async def closed_pnl(self, category: Category, start_ms: int, end_ms: int) -> tuple[ClosedPnl, ...]:
        """Closed-PnL rows (linear or inverse) closed from `start_ms` to `end_ms` inclusive, at most 7
        days apart (bybit.history walks longer periods). May raise: BybitError, ValueError."""
        params = {"category": category.value, **_window(start_ms, end_ms), "limit": CLOSED_PNL_PAGE_LIMIT}
        return await self._paginate("/v5/position/closed-pnl", params, signed=True,
                                    parse_page=lambda r: parse_closed_pnl(r, category=category))

    async def funding_payments(self, start_ms: int, end_ms: int, *,
                               contract_log: bool) -> tuple[FundingPayment, ...]:
        """Funding settlements from `start_ms` to `end_ms` inclusive (at most 7 days apart), from the
        unified transaction log, or with `contract_log` the contract one (a classic account's, and a
        UTA 1.0 account's inverse wallet's). May raise: BybitError, ValueError."""
        if contract_log:
            path, params = "/v5/account/contract-transaction-log", {}
        else:
            path, params = "/v5/account/transaction-log", {"accountType": UNIFIED}
        params |= {**_window(start_ms, end_ms), "type": "SETTLEMENT", "limit": TRANSACTION_LOG_PAGE_LIMIT}
        return await self._paginate(path, params, signed=True, parse_page=parse_funding_payments)

    # ----- public market data ---------------------------------------------------------------------

    async def tickers(self, category: Category, symbol: str | None = None) -> tuple[Ticker, ...]:
        """Tickers of a category, or of one symbol. May raise: BybitError."""
        result = await self._request("/v5/market/tickers", {"category": category.value, "symbol": symbol},
                                     signed=False)
        return parse.parse_tickers(result, category=category)

    async def klines(self, category: Category, symbol: str, interval: str, *, start_ms: int | None = None,
                     end_ms: int | None = None, limit: int | None = None) -> tuple[Kline, ...]:
        """Trade-price candles, oldest first. May raise: BybitError."""
        params = _kline_params(category, symbol, interval, start_ms, end_ms, limit)
        return parse.parse_klines(await self._request("/v5/market/kline", params, signed=False))

    async def mark_price_klines(self, category: Category, symbol: str, interval: str, *,
                                start_ms: int | None = None, end_ms: int | None = None,
                                limit: int | None = None) -> tuple[Kline, ...]:
        """Mark-price candles (no volume), oldest first. May raise: BybitError."""
        params = _kline_params(category, symbol, interval, start_ms, end_ms, limit)
        return parse.parse_klines(await self._request("/v5/market/mark-price-kline", params, signed=False))

    async def risk_tiers(self, category: Category, symbol: str | None = None) -> tuple[RiskTier, ...]:
        """Risk-limit tiers (all pages), per symbol in ascending risk_limit_value. May raise: BybitError."""
        tiers = await self._paginate("/v5/market/risk-limit", {"category": category.value, "symbol": symbol},
                                     signed=False, parse_page=parse.parse_risk_tiers)
        # Sorted over all pages, in case one symbol's tiers straddle a page boundary.
        return tuple(sorted(tiers, key=lambda t: (t.symbol, t.risk_limit_value)))

    async def instruments(self, category: Category, symbol: str | None = None) -> tuple[Instrument, ...]:
        """Instrument specifications (all pages). May raise: BybitError."""
        limit = None if category is Category.SPOT else INSTRUMENT_PAGE_LIMIT  # spot has no paging
        params = {"category": category.value, "symbol": symbol, "limit": limit}
        return await self._paginate("/v5/market/instruments-info", params, signed=False,
                                    parse_page=lambda r: parse.parse_instruments(r, category=category))


def _window(start_ms: int, end_ms: int) -> dict[str, str | None]:
    """May raise: ValueError for an empty window or one longer than Bybit accepts."""
    if not 0 <= end_ms - start_ms <= HISTORY_WINDOW_MS:
        raise ValueError(f"a history window must span 0 to 7 days, not {end_ms - start_ms} ms")
    return {"startTime": str(int(start_ms)), "endTime": str(int(end_ms))}


def _kline_params(category: Category, symbol: str, interval: str, start_ms: int | None, end_ms: int | None,
                  limit: int | None) -> dict[str, str | None]:
    return {
        "category": category.value,
        "symbol": symbol,
        "interval": interval,
        "start": None if start_ms is None else str(int(start_ms)),
        "end": None if end_ms is None else str(int(end_ms)),
        "limit": None if limit is None else str(int(limit)),
    }


async def gather_or_cancel(*calls: Awaitable[T]) -> list[T]:
    """asyncio.gather, but the first failure cancels the calls still running (no orphaned requests)."""
    tasks = [asyncio.ensure_future(call) for call in calls]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
