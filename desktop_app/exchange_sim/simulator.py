"""`Simulator`: the local Bybit V5 exchange — accounts, moving prices, HTTP server, faults."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from types import TracebackType

from desktop_app.exchange_sim.accounts import SimAccount, make_demo_accounts
from desktop_app.exchange_sim.app import SimApp, Stats
from desktop_app.exchange_sim.auth import IpLimiter
from desktop_app.exchange_sim.faults import Faults
from desktop_app.exchange_sim.instruments import CATALOGUE
from desktop_app.exchange_sim.klines import CandleMaker
from desktop_app.exchange_sim.ledger import LedgerBook
from desktop_app.exchange_sim.prices import PriceModel, Shock
from desktop_app.exchange_sim.server import SimHTTPServer, serve_in_thread
from desktop_app.exchange_sim.ws_server import SimStreamServer

SCENARIOS = ("demo", "crash")
SERVER_CLOCKS = ("wall", "price")


class Simulator:
    """A Bybit V5 REST simulator on 127.0.0.1.

    scenario "demo": prices follow the seeded random walk. "crash": additionally BTC falls
    `crash_drop` (15 %) over `crash_duration_s`, starting `crash_delay_s` after the start, every other
    coin moving with its beta to BTC. `realtime=False` freezes the price clock; advance it with step().
    `start_ms` fixes the price clock's origin (default: now), making paths reproducible across runs.
    `streams=True` also serves Bybit's WebSocket streams on the same port (`sim.ws_url`), as Bybit
    serves them from its REST hosts: ws://127.0.0.1:PORT/v5/public/{spot,linear,inverse,option} and
    /v5/private (`sim.streams` is the stream server behind them).
    Every account has a trade history (closed PnL, fills, funding, transaction logs) from
    `history_days` before the price clock's origin onwards; `history_page_cap` caps those pages the
    way `page_size_cap` caps the others (None: Bybit's own limits only).
    `server_clock`: the exchange's own time (/v5/market/time, envelopes, signature windows) is this
    machine's clock ("wall"), or the price clock ("price": it stands still with a frozen one), for tests
    whose client clock runs from the simulator's so the exchange's "now" and its history's agree.
    """

    def __init__(self, seed: int = 7, scenario: str = "demo", port: int = 0, realtime: bool = True,
                 accounts: tuple[SimAccount, ...] | list[SimAccount] | None = None, *,
                 start_ms: int | None = None, host: str = "127.0.0.1", page_size_cap: int | None = 3,
                 crash_delay_s: float = 30.0, crash_duration_s: float = 600.0, crash_drop: float = 0.15,
                 ip_limit: int = 600, ip_window_s: float = 5.0, ip_ban_s: float = 600.0,
                 streams: bool = True, history_days: int = 120, history_page_cap: int | None = None,
                 server_clock: str = "wall") -> None:
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}; choose from {SCENARIOS}")
        if server_clock not in SERVER_CLOCKS:
            raise ValueError(f"unknown server clock {server_clock!r}; choose from {SERVER_CLOCKS}")
        self.seed = seed
        self.scenario = scenario
        self.realtime = realtime
        self.accounts: tuple[SimAccount, ...] = tuple(accounts) if accounts is not None \
            else make_demo_accounts(seed=seed)
        if len({a.api_key for a in self.accounts}) != len(self.accounts):
            raise ValueError("accounts must have distinct API keys")
        self._host, self._port = host, port
        self._start_ms = int(time.time() * 1000) if start_ms is None else int(start_ms)
        self._mono0 = time.monotonic()
        self._offset_ms = 0
        self._clock_lock = threading.Lock()
        self.model = PriceModel(seed, self._start_ms)
        self.candles = CandleMaker(self.model)
        self.ledgers = LedgerBook(self.model, seed, self._start_ms, history_days)
        self.faults = Faults(seed=seed)
        self.ip_limiter = IpLimiter(ip_limit, ip_window_s, ip_ban_s)
        if scenario == "crash":
            self.trigger_crash(crash_drop, crash_duration_s, delay_s=crash_delay_s)
        self._app = SimApp(accounts=self.accounts, model=self.model, candles=self.candles, faults=self.faults,
                           ip_limiter=self.ip_limiter, now_ms=self.now_ms, page_size_cap=page_size_cap,
                           ledgers=self.ledgers, history_page_cap=history_page_cap,
                           clock_ms=self.now_ms if server_clock == "price" else None)
        self._accounts_lock = threading.Lock()
        self.streams = SimStreamServer(self, host=host) if streams else None
        self._stopping = threading.Event()
        self._server: SimHTTPServer | None = None
        self._thread: threading.Thread | None = None

    make_demo_accounts = staticmethod(make_demo_accounts)

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> Simulator:
        """Bind and serve in the background; returns once listening. May raise: OSError (port in use)."""
        if self._server is None:
            self._stopping.clear()
            stream_port = None
            if self.streams is not None:
                self.streams.start()  # on a loopback port of its own; upgrades on the REST port reach it
                stream_port = self.streams.port
            try:
                self._server, self._thread = serve_in_thread(self._host, self._port, self._app,
                                                             self._stopping, stream_port)
            except OSError:
                if self.streams is not None:
                    self.streams.stop()
                raise
        return self

    def stop(self) -> None:
        """Stop serving and release the port; held (timeout-fault) requests are released at once."""
        if self.streams is not None:
            self.streams.stop()
        if self._server is not None:
            self._stopping.set()
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=2.0)
            self._server = self._thread = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("simulator not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def ws_url(self) -> str:
        """`ws://127.0.0.1:PORT` of the streams (`/v5/public/linear`, `/v5/private`, ...): the REST port.

        May raise: RuntimeError when streams are off or not started.
        """
        if self.streams is None:
            raise RuntimeError("simulator started without streams")
        return f"ws://{self._host}:{self.port}"

    @property
    def stats(self) -> Stats:
        return self._app.stats

    def account(self, name: str) -> SimAccount:
        """May raise: KeyError for an unknown account name."""
        for a in self.accounts:
            if a.name == name:
                return a
        raise KeyError(name)

    def replace_account(self, account: SimAccount) -> None:
        """Swap in a changed account (matched by API key): REST serves it from the next request.

        May raise: KeyError when no account has that API key.
        """
        with self._accounts_lock:
            index = next((i for i, a in enumerate(self.accounts) if a.api_key == account.api_key), None)
            if index is None:
                raise KeyError(account.api_key)
            self.accounts = (*self.accounts[:index], account, *self.accounts[index + 1:])
            self._app.by_key[account.api_key] = account

    # -- clocks and prices -----------------------------------------------------------------------
    def now_ms(self) -> int:
        """The price clock: start + real elapsed time (if realtime) + everything stepped."""
        with self._clock_lock:
            elapsed = int((time.monotonic() - self._mono0) * 1000) if self.realtime else 0
            return self._start_ms + elapsed + self._offset_ms

    def server_time_ms(self) -> int:
        """The exchange's wall clock (local clock + injected skew), used for auth and envelopes."""
        return self._app.server_ms()

    def step(self, seconds: float) -> None:
        """Advance the price clock deterministically. May raise: ValueError for a negative step."""
        if seconds < 0:
            raise ValueError("cannot step backwards")
        with self._clock_lock:
            self._offset_ms += round(seconds * 1000)

    def mark_price(self, symbol: str) -> Decimal:
        """Tick-rounded mark price now, as the API reports it. May raise: KeyError (unknown symbol)."""
        inst = CATALOGUE[symbol]
        raw = self.model.prices_at(self.now_ms())[self.model.index[inst.base_coin]]
        return inst.round_price(Decimal(repr(float(raw))))

    def trigger_crash(self, drop: float = 0.15, duration_s: float = 600.0, *, delay_s: float = 0.0) -> None:
        """Script a move: BTC falls `drop` over `duration_s` from now + delay, others by beta × drop.

        May raise: ValueError when the drop would push a high-beta coin to or below zero.
        """
        start = (self._start_ms if not hasattr(self, "_app") else self.now_ms()) + round(delay_s * 1000)
        self.model.add_shock(Shock(start, max(1, round(duration_s * 1000)), drop))
