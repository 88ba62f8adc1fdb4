"""Local Bybit V5 simulator: REST on 127.0.0.1 with Bybit's shapes, auth, limits, moving prices and faults.

It is the oracle the client and the risk engine are tested against, so its margin maths is written
here from REFERENCE.md §8 and never imported from (or into) `desktop_app.risk`.
"""

from __future__ import annotations

from desktop_app.exchange_sim.accounts import SimAccount, SimPosition, make_demo_accounts
from desktop_app.exchange_sim.faults import Faults
from desktop_app.exchange_sim.simulator import Simulator

__all__ = ["Faults", "SimAccount", "SimPosition", "Simulator", "make_demo_accounts"]
