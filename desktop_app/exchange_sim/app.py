"""The request pipeline, independent of the HTTP server: IP limit, faults, routing, auth, per-UID
limits, the handler, and Bybit's envelope. Returns a `Reply` the server writes (or withholds)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from desktop_app.exchange_sim import (
    routes_account_extra,
    routes_asset,
    routes_asset_records,
    routes_market_info,
    routes_market_series,
    routes_orders,
    routes_positions,
    routes_spot_margin,
    routes_user,
)
from desktop_app.exchange_sim import routes_history as history
from desktop_app.exchange_sim import routes_market as market
from desktop_app.exchange_sim import routes_private as private
from desktop_app.exchange_sim.accounts import SimAccount
from desktop_app.exchange_sim.auth import IpLimiter, LimitStatus, UidLimiter, check_request
from desktop_app.exchange_sim.context import ApiError, RequestContext, parse_query
from desktop_app.exchange_sim.faults import Faults
from desktop_app.exchange_sim.instruments import CATALOGUE
from desktop_app.exchange_sim.klines import CandleMaker
from desktop_app.exchange_sim.ledger import LedgerBook
from desktop_app.exchange_sim.prices import PriceModel

Handler = Callable[[RequestContext], dict[str, object]]

# path -> (handler, private)
ROUTES: dict[str, tuple[Handler, bool]] = {
    "/v5/market/time": (market.server_time, False),
    "/v5/market/tickers": (market.tickers, False),
    "/v5/market/kline": (market.kline, False),
    "/v5/market/mark-price-kline": (market.mark_price_kline, False),
    "/v5/market/risk-limit": (market.risk_limit, False),
    "/v5/market/instruments-info": (market.instruments_info, False),
    "/v5/position/list": (private.position_list, True),
    "/v5/account/wallet-balance": (private.wallet_balance, True),
    "/v5/account/info": (private.account_info, True),
    "/v5/user/query-api": (private.query_api, True),
    "/v5/account/fee-rate": (private.fee_rate, True),
    "/v5/market/funding/history": (market.funding_history, False),
    "/v5/market/orderbook": (market.orderbook, False),
    "/v5/position/closed-pnl": (history.closed_pnl, True),
    "/v5/execution/list": (history.execution_list, True),
    "/v5/account/transaction-log": (history.transaction_log, True),
    "/v5/account/contract-transaction-log": (history.contract_transaction_log, True),
    "/v5/asset/coin/query-info": (history.coin_info, True),
}
# Every other read-only GET route Bybit serves: public market and platform data, then private queries.
for _public in (routes_market_series.ROUTES, routes_market_info.ROUTES, routes_asset_records.PUBLIC_ROUTES,
                routes_spot_margin.PUBLIC_ROUTES):
    ROUTES.update({path: (handler, False) for path, handler in _public.items()})
for _private in (routes_orders.ROUTES, routes_positions.ROUTES, routes_account_extra.ROUTES,
                 routes_asset.ROUTES, routes_asset_records.ROUTES, routes_user.ROUTES,
                 routes_spot_margin.ROUTES):
    ROUTES.update({path: (handler, True) for path, handler in _private.items()})
# Per-UID requests per rolling second of the newer routes (routes_private.UID_LIMITS holds the first
# ones and is read first, live); Bybit states no limit for most queries, the headers need one.
MORE_UID_LIMITS: dict[str, int] = {
    **routes_orders.UID_LIMITS, **routes_account_extra.UID_LIMITS, **routes_asset.UID_LIMITS,
    **routes_asset_records.UID_LIMITS, **routes_user.UID_LIMITS,
}
DEFAULT_UID_LIMIT = 50
_NO_ENVELOPE_TIME = {"/v5/account/info"}      # Bybit omits retExtInfo and time there (REFERENCE §3)
_EMPTY_RET_MSG = {"/v5/user/query-api"}
# Routes whose `result` is a list: the handler's "list" becomes `result`, its other keys go beside it
# (historical volatility puts `category` there, with retMsg "SUCCESS").
_LIST_RESULT = {"/v5/market/historical-volatility", "/v5/fiat/balance-query", "/v5/fiat/query-trade-history"}
_MALFORMED = (b'{"retCode":0,"retMsg":"OK","result":{"list":[{"symbol":"BTCUSDT","si',
              b"<html><body><h1>502 Bad Gateway</h1></body></html>", b"",
              b'{"retCode":0,"retMsg":"OK","result":')


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    action: str = "send"            # "send" | "hold" (never answer) | "close" (drop the connection)
    content_type: str = "application/json"


@dataclass
class Stats:
    connections: int = 0
    nodelay_connections: int = 0    # accepted sockets on which TCP_NODELAY was confirmed
    requests: int = 0


def _machine_ms() -> int:
    return int(time.time() * 1000)


class SimApp:
    """Thread-safe: one instance serves every connection thread."""

    def __init__(self, *, accounts: tuple[SimAccount, ...], model: PriceModel, candles: CandleMaker,
                 faults: Faults, ip_limiter: IpLimiter, now_ms: Callable[[], int],
                 page_size_cap: int | None, ledgers: LedgerBook | None = None,
                 history_page_cap: int | None = None, clock_ms: Callable[[], int] | None = None) -> None:
        """`clock_ms`: the exchange's own clock before any injected skew (default: this machine's)."""
        self.by_key = {a.api_key: a for a in accounts}
        self._clock_ms = clock_ms or _machine_ms
        self.model = model
        self.candles = candles
        self.faults = faults
        self.ip_limiter = ip_limiter
        self.uid_limiter = UidLimiter()
        self.now_ms = now_ms
        self.page_size_cap = page_size_cap
        self.ledgers = ledgers
        self.history_page_cap = history_page_cap
        self.stats = Stats()
        self._stats_lock = threading.Lock()

    def count(self, *, connection: bool = False, nodelay: bool = False) -> None:
        with self._stats_lock:
            if connection:
                self.stats.connections += 1
                self.stats.nodelay_connections += int(nodelay)
            else:
                self.stats.requests += 1

    def server_ms(self) -> int:
        return self._clock_ms() + self.faults.snapshot().clock_skew_ms

    def handle(self, method: str, target: str, headers: dict[str, str], client_ip: str) -> Reply:
        """Answer one request. `headers` keys are lower-case; `target` is the raw request target."""
        self.count()
        if not self.ip_limiter.allow(client_ip, time.monotonic()):
            return Reply(403, b"access too frequent", content_type="text/plain")
        faults = self.faults.snapshot()
        path, _, raw_query = target.partition("?")
        route = ROUTES.get(path)
        if route is None or method != "GET":
            return Reply(404, b"404 page not found", content_type="text/plain")
        if self.faults.roll(faults.timeout_rate):
            return Reply(0, b"", action=faults.timeout_mode)
        if self.faults.roll(faults.error_rate_5xx):
            status = int(self.faults.pick(("502", "503", "504")))
            return Reply(status, f"<html><body><h1>{status} Server Error</h1></body></html>".encode(),
                         content_type="text/html")
        server_ms = self.server_ms()
        handler, is_private = route
        if self.faults.roll(faults.error_rate_10016):
            return self._error(10016, "Internal server error.", server_ms)
        account: SimAccount | None = None
        limit_headers: tuple[tuple[str, str], ...] = ()
        if is_private:
            account = self.by_key.get(headers.get("x-bapi-api-key", ""))
            failure = check_request(account, headers, raw_query, server_ms, client_ip)
            if failure is not None:
                return self._error(failure.ret_code, failure.ret_msg, server_ms)
            assert account is not None
            if account.uid in faults.fail_uids:
                return self._error(10016, "Internal server error.", server_ms)
            limit = private.UID_LIMITS.get(path) or MORE_UID_LIMITS.get(path, DEFAULT_UID_LIMIT)
            if self.faults.roll(faults.error_rate_10006):
                status = LimitStatus(False, limit, 0, server_ms + 1000)
            else:
                status = self.uid_limiter.hit(account.uid, path, limit, server_ms)
            limit_headers = tuple(status.headers().items())
            if not status.allowed:
                return self._error(10006, "Too many visits!", server_ms, limit_headers)
        try:
            result = handler(self._context(parse_query(raw_query), account, server_ms))
        except ApiError as exc:
            return self._error(exc.ret_code, exc.ret_msg, server_ms, limit_headers)
        envelope: dict[str, object] = {"retCode": 0, "retMsg": "" if path in _EMPTY_RET_MSG else "OK",
                                       "result": result}
        if path in _LIST_RESULT:
            envelope.update({k: v for k, v in result.items() if k != "list"}, result=result["list"])
            if "category" in result:
                envelope["retMsg"] = "SUCCESS"
        if path not in _NO_ENVELOPE_TIME:
            envelope.update(retExtInfo={}, time=server_ms)
        body = json.dumps(envelope, separators=(",", ":")).encode()
        if self.faults.roll(faults.malformed_rate):
            body = self.faults.pick(tuple(b.decode() for b in _MALFORMED)).encode()
        return Reply(200, body, limit_headers)

    def _context(self, params: dict[str, str], account: SimAccount | None, server_ms: int) -> RequestContext:
        now_ms = self.now_ms()
        prices: list[np.ndarray] = []

        def coin_prices() -> np.ndarray:
            # Computed once per request, and only if the handler needs a price.
            if not prices:
                prices.append(self.model.prices_at(now_ms))
            return prices[0]

        def mark_of(symbol: str) -> Decimal:
            inst = CATALOGUE[symbol]
            return inst.round_price(Decimal(repr(float(coin_prices()[self.model.index[inst.base_coin]]))))

        def price_of_coin(coin: str) -> float:
            return float(coin_prices()[self.model.index[coin]])

        return RequestContext(params, account, now_ms, server_ms, mark_of, price_of_coin, self.model,
                              self.candles, self.page_size_cap, self.ledgers,
                              self.ledgers.seed if self.ledgers else 0, self.history_page_cap)

    @staticmethod
    def _error(code: int, msg: str, server_ms: int, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
        body = {"retCode": code, "retMsg": msg, "result": {}, "retExtInfo": {}, "time": server_ms}
        return Reply(200, json.dumps(body, separators=(",", ":")).encode(), headers)
