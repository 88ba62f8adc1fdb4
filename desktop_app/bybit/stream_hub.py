"""All of the app's streams: public ticker connections shared across accounts, one per (public
stream host, category), and one private connection per account with credentials.

Accounts on the same public host (mainnet and demo trading both read mainnet's public streams)
share one connection per category, subscribed to the union of their symbols.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterable, Mapping

from desktop_app.bybit.clock import NowMs, system_now_ms
from desktop_app.bybit.ws_common import EventSink, StreamConfig
from desktop_app.bybit.ws_private import PrivateAccountStream
from desktop_app.bybit.ws_public import STREAM_CATEGORIES, PublicTickerStream
from desktop_app.domain.account import Position
from desktop_app.domain.credentials import Credentials
from desktop_app.domain.environment import Environment
from desktop_app.domain.market import Category

# Categories whose positions are repriced from the public ticker stream (the scope).
REPRICED_CATEGORIES = (Category.LINEAR, Category.INVERSE)


class StreamHub:
    """Owns every stream; all methods run on one asyncio loop (the worker's)."""

    def __init__(self, environment_by_account: Mapping[str, Environment],
                 credentials: Mapping[str, Credentials | None], on_event: EventSink, *,
                 config: StreamConfig | None = None, rng: random.Random | None = None,
                 now_ms_by_account: Mapping[str, NowMs] | None = None) -> None:
        """`credentials` may lack an account or map it to None: it then gets no private stream.
        `now_ms_by_account` gives each account's exchange-aligned clock (default: local clock)."""
        self._on_event = on_event
        self._config = config or StreamConfig()
        self._rng = rng or random.Random()
        self._environments: dict[str, Environment] = dict(environment_by_account)
        self._credentials: dict[str, Credentials] = {k: v for k, v in credentials.items() if v is not None}
        self._clocks: dict[str, NowMs] = dict(now_ms_by_account or {})
        self._symbols: dict[tuple[str, Category], frozenset[str]] = {}  # (account, category) -> symbols
        self._public: dict[tuple[str, Category], PublicTickerStream] = {}
        self._private: dict[str, PrivateAccountStream] = {}
        self._started = False

    # -- lifecycle --------------------------------------------------------------------------------
    async def start(self) -> None:
        """Open the private streams (public ones open with their first symbol). Idempotent."""
        self._started = True
        for account_id in self._environments:
            self._ensure_private(account_id)
        for stream in self._public.values():
            stream.start()

    async def aclose(self) -> None:
        """Close every stream; returns once all sockets are closed."""
        self._started = False
        streams = [*self._public.values(), *self._private.values()]
        self._public.clear()
        self._private.clear()
        await asyncio.gather(*(s.aclose() for s in streams))

    # -- accounts ---------------------------------------------------------------------------------
    async def add_account(self, account_id: str, environment: Environment, credentials: Credentials | None,
                          *, now_ms: NowMs | None = None) -> None:
        """Add (or replace, e.g. after a key change) an account and start its private stream."""
        await self.remove_account(account_id)
        self._environments[account_id] = environment
        if credentials is not None:
            self._credentials[account_id] = credentials
        if now_ms is not None:
            self._clocks[account_id] = now_ms
        if self._started:
            self._ensure_private(account_id)

    async def remove_account(self, account_id: str) -> None:
        """Close the account's private stream and drop its symbols from the public streams."""
        stream = self._private.pop(account_id, None)
        for category in STREAM_CATEGORIES:
            if (account_id, category) in self._symbols:
                await self.set_symbols(account_id, category, ())
        self._environments.pop(account_id, None)
        self._credentials.pop(account_id, None)
        self._clocks.pop(account_id, None)
        if stream is not None:
            await stream.aclose()

    # -- symbols ----------------------------------------------------------------------------------
    async def set_symbols(self, account_id: str, category: Category | str, symbols: Iterable[str]) -> None:
        """The symbols `account_id` holds in `category`; the shared public stream is re-subscribed
        to the union over its accounts (only the difference goes on the wire).

        May raise: KeyError (unknown account), ValueError (category without a ticker mark: spot).
        """
        cat = Category(category)
        if cat not in STREAM_CATEGORIES:
            raise ValueError(f"no mark-price ticker stream for category {cat.value!r}")
        environment = self._environments[account_id]
        wanted = frozenset(s.strip().upper() for s in symbols if s.strip())
        if wanted:
            self._symbols[(account_id, cat)] = wanted
        else:
            self._symbols.pop((account_id, cat), None)
        key = (environment.public_ws_url.rstrip("/"), cat)
        union = frozenset().union(*(syms for (acc, c), syms in self._symbols.items()
                                    if c == cat and self._public_key(acc, c) == key))
        stream = self._public.get(key)
        if stream is None:
            if not union:
                return
            stream = PublicTickerStream(key[0], cat, self._on_event, self._config,
                                        rng=random.Random(self._rng.random()))
            self._public[key] = stream
            if self._started:
                stream.start()
        await stream.set_symbols(union)

    async def set_positions(self, account_id: str, positions: Iterable[Position]) -> None:
        """Convenience after a REST refresh: subscribe the linear and inverse symbols of `positions`
        (and unsubscribe those no longer held). May raise: KeyError (unknown account)."""
        by_category: dict[Category, set[str]] = {c: set() for c in REPRICED_CATEGORIES}
        for p in positions:
            if p.category in by_category:
                by_category[p.category].add(p.symbol)
        for category, symbols in by_category.items():
            await self.set_symbols(account_id, category, symbols)

    # -- introspection ----------------------------------------------------------------------------
    def public_stream(self, public_ws_url: str, category: Category | str) -> PublicTickerStream | None:
        return self._public.get((public_ws_url.rstrip("/"), Category(category)))

    def private_stream(self, account_id: str) -> PrivateAccountStream | None:
        return self._private.get(account_id)

    def accounts_on(self, public_ws_url: str) -> tuple[str, ...]:
        """Accounts whose marks come from this public stream base (a MarkPriceEvent's `source`)."""
        source = public_ws_url.rstrip("/")
        return tuple(a for a, env in self._environments.items() if env.public_ws_url.rstrip("/") == source)

    # -- internals --------------------------------------------------------------------------------
    def _public_key(self, account_id: str, category: Category) -> tuple[str, Category] | None:
        env = self._environments.get(account_id)
        return None if env is None else (env.public_ws_url.rstrip("/"), category)

    def _ensure_private(self, account_id: str) -> None:
        credentials = self._credentials.get(account_id)
        if credentials is None or account_id in self._private:
            return
        stream = PrivateAccountStream(
            account_id, self._environments[account_id].private_ws_url, credentials, self._on_event,
            self._config, now_ms=self._clocks.get(account_id, system_now_ms),
            rng=random.Random(self._rng.random()),
        )
        self._private[account_id] = stream
        stream.start()
