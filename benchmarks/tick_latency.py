"""Tick-to-reprice latency: from a ticker delta leaving a loopback WebSocket server to the repriced Book.

20 accounts x 10 positions (200) on 20 linear symbols. A local server streams `tickers.*` deltas
with a new markPrice in Bybit's envelope; the real PublicTickerStream receives, parses and merges
them and emits a MarkPriceEvent, whose handler reprices the Book with the risk engine's
`reprice`. Latency = reprice done - message sent (same process, same clock), so it includes
loopback transit, JSON parsing, the delta merge and the numpy revaluation.

`--path live` measures the worker's real path instead (desktop_app.live): the mark goes into the
LivePortfolio, which reprices the REST book and rebuilds the risk report, and the AlertTracker
evaluates every alert rule on it; latency = alerts evaluated - message sent.

Run: python benchmarks/tick_latency.py [--ticks N] [--interval-ms MS] [--path book|live]
Target: p99 <= 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from websockets.asyncio.server import ServerConnection, serve

from desktop_app.bybit.ws_common import MarkPriceEvent, StreamConfig, StreamEvent
from desktop_app.bybit.ws_public import PublicTickerStream
from desktop_app.domain.account import AccountInfo, MarginMode, Position, Wallet
from desktop_app.domain.market import Category, Side
from desktop_app.domain.snapshot import AccountData, AccountState, PortfolioSnapshot
from desktop_app.live import AlertTracker, LivePortfolio
from desktop_app.price_history import PriceHistory
from desktop_app.risk import ReturnModel, book_from_snapshot, build_report, reprice
from desktop_app.risk.book import Book
from desktop_app.service import PortfolioUpdate

N_ACCOUNTS, PER_ACCOUNT, N_SYMBOLS = 20, 10, 20


def _d(x: float) -> Decimal:
    return Decimal(f"{x:.8f}")


def synthetic_snapshot(rng: random.Random) -> tuple[PortfolioSnapshot, dict[str, float]]:
    marks = {f"C{i:02d}USDT": 10 ** rng.uniform(-1, 4) for i in range(N_SYMBOLS)}
    symbols = sorted(marks)
    accounts = []
    for a in range(N_ACCOUNTS):
        positions = []
        for j in range(PER_ACCOUNT):
            symbol = symbols[(a + j * 3) % N_SYMBOLS]
            mark = marks[symbol]
            size = rng.uniform(0.5, 5) * 1000 / mark
            long = rng.random() < 0.5
            liq = mark * (0.9 if long else 1.1)
            positions.append(Position(
                Category.LINEAR, symbol, 0, Side.LONG if long else Side.SHORT, _d(size), _d(mark), _d(mark),
                _d(size * mark), _d(10), _d(liq), _d(size * mark / 10), _d(size * mark * 0.005), _d(0),
                _d(0), 1, _d(2e6), "Normal", False, None, "USDT", None,
            ))
        wallet = Wallet("UNIFIED", _d(60_000), _d(60_000), _d(60_000), _d(30_000), _d(0), _d(25_000),
                        _d(2_500), _d(25_000 / 60_000), _d(2_500 / 60_000))
        info = AccountInfo(5, MarginMode.CROSS, False, None)
        data = AccountData(info, wallet, tuple(positions), 0.0)
        accounts.append(AccountState(f"a{a}", f"Account {a}", data, None, None, 0.0))
    return PortfolioSnapshot(0.0, tuple(accounts)), marks


async def measure(ticks: int, interval_s: float, path: str = "book") -> list[float]:
    snapshot, marks = synthetic_snapshot(random.Random(7))
    book: Book = book_from_snapshot(snapshot)
    model = ReturnModel.from_closes({})
    portfolio = LivePortfolio()
    rest_report = build_report(book, model=model)
    portfolio.set_rest(PortfolioUpdate(snapshot, book, model, rest_report, PriceHistory()))
    tracker = AlertTracker(poll_interval_s=5.0)
    account_ids = [a.account_id for a in snapshot.accounts]
    live = dict(marks)
    sent_at: dict[int, float] = {}  # ts (used as a sequence number) -> perf_counter at send
    latencies_ms: list[float] = []
    subscribed = asyncio.Event()
    done = asyncio.Event()

    async def server(ws: ServerConnection) -> None:
        request = json.loads(await ws.recv())
        topics = request["args"]
        await ws.send(json.dumps({"success": True, "ret_msg": "", "conn_id": "b", "req_id": request["req_id"],
                                  "op": "subscribe"}))
        for k, topic in enumerate(topics):
            symbol = topic.removeprefix("tickers.")
            await ws.send(json.dumps({"topic": topic, "type": "snapshot", "cs": 1, "ts": -1 - k,
                                      "data": {"symbol": symbol, "markPrice": f"{marks[symbol]:.4f}",
                                               "lastPrice": f"{marks[symbol]:.4f}"}}))
        subscribed.set()
        rng = random.Random(11)
        for seq in range(ticks):
            symbol = topics[seq % len(topics)].removeprefix("tickers.")
            mark = marks[symbol] * (1 + rng.uniform(-0.01, 0.01))
            text = json.dumps({"topic": f"tickers.{symbol}", "type": "delta", "cs": 2 + seq, "ts": seq,
                               "data": {"symbol": symbol, "markPrice": f"{mark:.4f}",
                                        "bid1Price": f"{mark * 0.9999:.4f}"}})
            sent_at[seq] = time.perf_counter()
            await ws.send(text)
            await asyncio.sleep(interval_s)
        await done.wait()

    def on_event(event: StreamEvent) -> None:
        nonlocal book
        if isinstance(event, MarkPriceEvent) and event.ts_ms >= 0:
            if path == "live":
                portfolio.add_mark(event.source, account_ids, event.symbol, float(event.mark_price))
                update = portfolio.reprice()
                assert update is not None
                tracker.evaluate(update.report, update.snapshot, now_s=0.0)
            else:
                live[event.symbol] = float(event.mark_price)
                book = reprice(book, live)
            latencies_ms.append((time.perf_counter() - sent_at[event.ts_ms]) * 1000)
            if len(latencies_ms) == ticks:
                done.set()

    async with serve(server, "127.0.0.1", 0, ping_interval=None) as srv:
        port = next(iter(srv.sockets)).getsockname()[1]
        config = StreamConfig(subscribe_batch=N_SYMBOLS)
        stream = PublicTickerStream(f"ws://127.0.0.1:{port}/v5/public", Category.LINEAR, on_event, config)
        stream.start()
        await stream.set_symbols(marks)
        await asyncio.wait_for(done.wait(), timeout=60 + ticks * interval_s * 2)
        await stream.aclose()
    assert book.n_positions == N_ACCOUNTS * PER_ACCOUNT
    return latencies_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ticks", type=int, default=2000)
    parser.add_argument("--interval-ms", type=float, default=2.0, help="gap between ticker messages")
    parser.add_argument("--path", choices=("book", "live"), default="book",
                        help="book: reprice the Book only; live: LivePortfolio report + every alert rule")
    args = parser.parse_args()
    samples = sorted(asyncio.run(measure(args.ticks, args.interval_ms / 1000, args.path)))
    p99 = samples[min(len(samples) - 1, int(0.99 * len(samples)))]
    print(f"{N_ACCOUNTS} accounts x {PER_ACCOUNT} positions, {N_SYMBOLS} symbols, "
          f"{len(samples)} ticker deltas, one every {args.interval_ms:g} ms")
    what = "repriced book" if args.path == "book" else "repriced report + alerts"
    print(f"tick -> {what} (ms): p50 {statistics.median(samples):.3f}  p99 {p99:.3f}  "
          f"max {samples[-1]:.3f}   target p99 <= 20 ms")


if __name__ == "__main__":
    main()
