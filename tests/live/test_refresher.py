"""AccountRefresher with a scripted service: each account is published as it answers, a stuck one
never holds the others back and is shown waiting (stale), never fresh; a fetch in flight is not
started again; answers that arrive together go out as one update."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from desktop_app.bybit.environments import custom
from desktop_app.domain.credentials import Credentials, Secret
from desktop_app.domain.snapshot import PENDING, AccountData, AccountSpec, AccountState, PortfolioSnapshot
from desktop_app.live.refresher import INTERNAL_ERROR, AccountRefresher
from tests.ui.factories import INFO, wallet


def spec(name: str) -> AccountSpec:
    return AccountSpec(f"id-{name}", name, custom("http://127.0.0.1:9"), Credentials("key", Secret("s")))


SPECS = (spec("Main"), spec("Hedge"), spec("Stuck"))


class Scripted:
    """Answers each account after its delay in seconds (None: never, until cancelled; negative: a bug)."""

    def __init__(self, delays: dict[str, float | None]) -> None:
        self.delays = delays
        self.calls: list[str] = []
        self.cancelled: list[str] = []
        self.answers = 0

    async def refresh_account(self, spec: AccountSpec, previous: AccountState | None) -> AccountState:
        self.calls.append(spec.name)
        delay = self.delays[spec.name]
        try:
            await asyncio.sleep(3600 if delay is None else max(0.0, delay))
        except asyncio.CancelledError:
            self.cancelled.append(spec.name)
            raise
        if delay is not None and delay < 0:
            raise ValueError("a bug")
        self.answers += 1
        data = AccountData(INFO, wallet("1000", "10", "100"), (), fetched_at=1_000.0 + self.answers)
        return AccountState(spec.account_id, spec.name, data, None, None, data.fetched_at)

    async def compose(self, accounts: Sequence[AccountSpec],
                      snapshot: PortfolioSnapshot) -> PortfolioSnapshot:
        return snapshot  # the published "update" is the snapshot itself


def run(delays: dict[str, float | None], script, *, late_after_s: float = 0.3) -> tuple[list, Scripted]:
    published: list[PortfolioSnapshot] = []
    errors: list[str] = []
    service = Scripted(delays)

    async def go() -> None:
        refresher = AccountRefresher(service, publish=published.append, report_error=errors.append,
                                     late_after_s=late_after_s, batch_s=0.05)
        refresher.set_accounts(SPECS)
        try:
            await script(refresher)
        finally:
            refresher.cancel()
            await asyncio.sleep(0)

    asyncio.run(asyncio.wait_for(go(), 5))
    assert errors == []
    return published, service


def by_name(snapshot: PortfolioSnapshot) -> dict[str, AccountState]:
    return {a.name: a for a in snapshot.accounts}


def test_a_stuck_account_does_not_hold_the_others_and_is_never_shown_fresh() -> None:
    async def script(refresher: AccountRefresher) -> None:
        refresher.poll()
        await asyncio.sleep(0.2)  # Main and Hedge answered at 10 and 20 ms: one update 50 ms later
        refresher.poll()  # the next poll: Stuck is still fetching and is not asked again
        await asyncio.sleep(0.3)  # past late_after_s

    published, service = run({"Main": 0.01, "Hedge": 0.02, "Stuck": None}, script)
    first = by_name(published[0])
    assert first["Main"].ok and first["Hedge"].ok
    assert first["Stuck"].pending and first["Stuck"].data is None and not first["Stuck"].ok
    assert first["Stuck"].error == "waiting for the first answer"
    assert service.calls.count("Stuck") == 1 and service.cancelled == ["Stuck"]
    assert service.calls.count("Main") == 2
    # Every update shows Stuck as waiting, never as fresh.
    assert all(by_name(p)["Stuck"].error_code == PENDING for p in published)


def test_a_late_account_shows_its_last_good_figures_as_waiting_until_it_answers() -> None:
    delays: dict[str, float | None] = {"Main": 0.01, "Hedge": 0.01, "Stuck": 0.01}

    async def script(refresher: AccountRefresher) -> None:
        refresher.poll()
        await asyncio.sleep(0.1)  # everyone answered once
        delays["Stuck"] = 0.6  # now it takes twice late_after_s
        refresher.poll()
        await asyncio.sleep(0.45)  # late at 0.3 s, still waiting
        await asyncio.sleep(0.3)  # answered at 0.6 s

    published, _ = run(delays, script)
    stuck = [by_name(p)["Stuck"] for p in published]
    assert stuck[0].ok
    waiting = [s for s in stuck if s.pending]
    assert waiting, "the late account was never published as waiting"
    # The figures shown while waiting are the last good ones, marked stale, never fresh.
    assert waiting[0].data == stuck[0].data and waiting[0].stale
    assert stuck[-1].ok and stuck[-1].data != stuck[0].data  # its answer replaced them


def test_answers_that_arrive_together_go_out_as_one_update() -> None:
    async def script(refresher: AccountRefresher) -> None:
        refresher.poll()
        await asyncio.sleep(0.2)

    published, _ = run({"Main": 0.01, "Hedge": 0.012, "Stuck": 0.014}, script)
    assert len(published) == 1 and published[0].complete


def test_a_bug_in_one_fetch_fails_that_account_only() -> None:
    async def script(refresher: AccountRefresher) -> None:
        refresher.poll()
        await asyncio.sleep(0.15)

    published, _ = run({"Main": 0.01, "Hedge": 0.01, "Stuck": -1.0}, script)
    last = by_name(published[-1])
    assert last["Main"].ok and last["Hedge"].ok
    assert last["Stuck"].error_code == INTERNAL_ERROR
    assert last["Stuck"].error == "internal error while refreshing (ValueError)"


def test_removed_accounts_are_cancelled_and_forgotten() -> None:
    async def script(refresher: AccountRefresher) -> None:
        refresher.poll()
        await asyncio.sleep(0.1)
        refresher.set_accounts(SPECS[:2])
        refresher.poll(["id-Main"])
        await asyncio.sleep(0.1)

    published, service = run({"Main": 0.01, "Hedge": 0.01, "Stuck": None}, script)
    assert service.cancelled == ["Stuck"]
    assert [a.name for a in published[-1].accounts] == ["Main", "Hedge"]


def test_a_bug_in_publishing_is_reported_and_the_next_answers_still_go_out() -> None:
    published: list[PortfolioSnapshot] = []
    errors: list[str] = []
    service = Scripted({"Main": 0.01, "Hedge": 0.01, "Stuck": 0.01})

    def publish(update: PortfolioSnapshot) -> None:
        if not published:
            published.append(update)
            raise RuntimeError("a sink's bug")
        published.append(update)

    async def go() -> None:
        refresher = AccountRefresher(service, publish=publish, report_error=errors.append, batch_s=0.05)
        refresher.set_accounts(SPECS)
        try:
            refresher.poll()
            await asyncio.sleep(0.1)
            refresher.poll()
            await asyncio.sleep(0.1)
        finally:
            refresher.cancel()
            await asyncio.sleep(0)

    asyncio.run(asyncio.wait_for(go(), 5))
    assert errors == ["publishing an update failed (RuntimeError: a sink's bug)"]
    assert len(published) == 2 and published[-1].complete  # the next poll went out as usual
