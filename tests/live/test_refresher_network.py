"""The live refresh path over real sockets: two simulator accounts and one whose server trickles its
answer a byte at a time. The healthy two are published while the third is still waiting, and the
third fails at the deadline with the reason, its figures never shown."""

from __future__ import annotations

import asyncio
import time

from desktop_app.bybit.environments import custom
from desktop_app.bybit.errors import TIMEOUT
from desktop_app.bybit.http import HttpPool, RetryPolicy
from desktop_app.bybit.ratelimit import SlidingWindowLimiter
from desktop_app.domain.credentials import Credentials, Secret
from desktop_app.domain.snapshot import AccountSpec
from desktop_app.exchange_sim import Simulator
from desktop_app.live.refresher import AccountRefresher
from desktop_app.service import PortfolioUpdate, RiskService
from tests.misbehaving_server import MisbehavingServer
from tests.sim_fixtures import spec_of


def test_healthy_accounts_are_shown_while_a_trickling_one_waits_for_its_deadline(sim: Simulator) -> None:
    healthy = [spec_of(sim, sim.account("Main")), spec_of(sim, sim.account("Hedge"))]
    with MisbehavingServer("trickle", trickle_interval_s=0.05) as server:
        stuck = AccountSpec("id-stuck", "Proxy", custom(server.base_url), Credentials("key", Secret("s")))
        published: list[tuple[float, PortfolioUpdate]] = []

        async def go() -> float:
            pool = HttpPool(deadline_s=2.0, ip_limiter=SlidingWindowLimiter(600, 5.0),
                            retry=RetryPolicy(base_delay_s=0.01, max_delay_s=0.02))
            service = RiskService(pool)
            refresher = AccountRefresher(service, publish=lambda u: published.append((time.monotonic(), u)),
                                         report_error=lambda e: None, late_after_s=0.5)
            refresher.set_accounts([*healthy, stuck])
            started = time.monotonic()
            refresher.poll()
            while not published or published[-1][1].snapshot.accounts[-1].error_code != TIMEOUT:
                await asyncio.sleep(0.05)
                assert time.monotonic() - started < 5, "the trickling account was never given up"
            refresher.cancel()
            await pool.aclose()
            return started

        started = asyncio.run(go())

    first_at, first = published[0]
    states = {a.name: a for a in first.snapshot.accounts}
    assert states["Main"].ok and states["Hedge"].ok  # shown while Proxy still trickles
    assert states["Proxy"].pending and states["Proxy"].data is None
    # Before the 2 s deadline ended Proxy's wait (the first update also fetches the price history).
    assert first_at - started < 1.9
    last_at, last = published[-1]
    proxy = {a.name: a for a in last.snapshot.accounts}["Proxy"]
    assert proxy.error == "no complete answer within 2 s; the server is too slow or stalled"
    assert 1.95 <= last_at - started < 3.0
    # Its figures never count: the totals are the two healthy accounts'.
    equities = [a.equity_usd for a in last.report.accounts if a.name != "Proxy"]
    assert last.report.totals.equity_usd == sum(equities)
    assert next(a for a in last.report.accounts if a.name == "Proxy").equity_usd is None
