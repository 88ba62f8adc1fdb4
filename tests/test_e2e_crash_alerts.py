"""End to end: the simulator's crash scenario, stepped deterministically, through the GUI worker
(REST polls and streamed marks), must raise the expected alerts in the expected order, once each.

Accounts: the demo's "Main" and "Hedge" (all figures from exchange_sim/accounts.py; marks at the
start: BTC 65,000, ETH 3,400, SOL 150, XRP 0.60, DOGE 0.15, LINK 15). The crash takes BTC down
15% over 600 s, linearly; every other coin falls by its beta (rho x vol / vol_BTC: ETH 1.082, SOL
1.295, XRP 1.005, DOGE 1.182, LINK 1.082). Let d be BTC's fall so far.

Hedge (cross): wallet 22,000; long 2.5 BTC @ 64,800 and 15 ETH @ 3,380.
  equity(d) = 22,000 + 2.5 x 200 + 15 x 20 - (2.5 x 65,000 + 15 x 3,400 x 1.082) d = 22,800 - 217,682 d
  MM(d) = 0.5% x (162,500 (1-d) + 51,000 (1 - 1.082 d)) = 1,067.5 - 1,088 d
  MM rate 50% (warning):  22,800 - 217,682 d = 2 x MM    -> d = 20,665 / 215,506 = 9.59%
  MM rate 80% (critical): 22,800 - 217,682 d = 1.25 x MM -> d = 21,466 / 216,322 = 9.92%
  liquidation (100%) at d = 21,732.5 / 216,594 = 10.03%.
First liquidation: Main (equity ~307k, all legs small against it) never liquidates within the
engine's shock range, so the first liquidation is Hedge's at a further BTC fall of about
(10.03% - d) / (1 - d) (betas estimated from history move it by well under a point):
  at d = 0 about 10%: inside the 15% warning, outside the 8% critical -> RAISED warning at once;
  critical once it is below 8%: d > (10.03% - 8%) / 92% = 2.2%.
Drawdown of the total equity from the first figures:
  Main: wallet 290,000 + uPnL (1.5 x 3,800 + 0.5 x 1,800 + 20 x 250 + 300 x 8.2 + 20,000 x 0.018
        + 100,000 x 0.0077 + 1,000 x 0.8 + 0.8 x 1,100 = 16,870) = 306,870; its net beta exposure
        1.8 x 65,000 + 68,000 x 1.082 - 45,000 x 1.295 + 12,000 x 1.005 + 15,000 x 1.182 - 15,000 x 1.082
        = 145,830 per 100% of BTC.
  total equity 306,870 + 22,800 = 329,670 falls by (145,830 + 217,682) d = 363,512 d:
  drawdown = 1.1027 d: warning (5%) at d = 4.53%, critical (10%) at d = 9.07%.
Expected, in order (raised / escalated only; each once):
  first_liquidation warning (d=0) -> first_liquidation critical (2.2%) -> drawdown warning (4.5%)
  -> drawdown critical (9.07%) -> Hedge MM rate warning (9.59%) -> Hedge MM rate critical (9.92%).
The closest pair is 0.33% of BTC apart (13 s of the ramp): from d = 8% to 11% the test steps 4 s
(0.1%) at a time and 1% before (2.2% and 4.5% are far apart), so no two thresholds share a step.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop_app.exchange_sim import Simulator
from desktop_app.exchange_sim.accounts import make_demo_accounts
from desktop_app.ui.demo import sim_account_specs
from desktop_app.ui.worker.host import WorkerHost
from tests.sim_fixtures import SIM_SEED, SIM_START_MS
from tests.ui.test_worker_live import Recorder

WAIT_MS = 20_000
WATCHED = {("first_liquidation", "portfolio"), ("drawdown", "portfolio"), ("mm_rate", "Hedge")}


@pytest.fixture
def crash_sim() -> Iterator[Simulator]:
    accounts = tuple(a for a in make_demo_accounts(seed=SIM_SEED) if a.name in ("Main", "Hedge"))
    with Simulator(seed=SIM_SEED, scenario="crash", realtime=False, start_ms=SIM_START_MS, accounts=accounts,
                   crash_delay_s=0.0, crash_duration_s=600.0, crash_drop=0.15) as simulator:
        yield simulator


def _steps_s() -> list[float]:
    """Price-time steps: 40 s (1% of BTC) up to d = 8%, 4 s (0.1%) to d = 11%, 80 s to the end."""
    return [40.0] * 8 + [4.0] * 30 + [80.0] * 2  # 320 s + 120 s + 160 s = 600 s


def test_crash_raises_the_expected_alerts_in_order_once_each(qtbot, crash_sim: Simulator) -> None:
    host = WorkerHost(sim_account_specs(crash_sim), interval_s=3600)
    alerts, snapshots = Recorder(host.worker.sig_alerts), Recorder(host.worker.sig_snapshot)

    def rest(update) -> bool:
        return not update.report.repriced

    try:
        host.start()
        snapshots.wait_for(qtbot, rest)
        for step_s in _steps_s():
            crash_sim.step(step_s)
            seen = len(snapshots.items)
            host.worker.refresh_now()
            snapshots.wait_for(qtbot, rest, after=seen)
        qtbot.wait(100)  # the last alert signal is queued right behind the last update
    finally:
        assert host.shutdown()
    events = [e for update in alerts.items for e in update.events]
    # 600 s of a 15% ramp: BTC is down 15% (the frozen random walk adds well under a point).
    assert float(crash_sim.mark_price("BTCUSDT")) == pytest.approx(65_000 * 0.85, rel=0.01)
    notified = [(e.rule, e.subject, e.severity.value) for e in events if e.kind.notify and e.key in WATCHED]
    assert notified == [
        ("first_liquidation", "portfolio", "warning"),
        ("first_liquidation", "portfolio", "critical"),
        ("drawdown", "portfolio", "warning"),
        ("drawdown", "portfolio", "critical"),
        ("mm_rate", "Hedge", "warning"),
        ("mm_rate", "Hedge", "critical"),
    ]
    # Nothing watched was cleared or eased on the way down: a crash only makes these worse.
    assert not [e for e in events if e.key in WATCHED and not e.kind.notify]
