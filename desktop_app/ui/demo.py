"""Demo mode: the embedded simulator with its demo accounts, held in memory only."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from desktop_app.bybit.environments import custom
from desktop_app.domain.credentials import Credentials, KeyType, Secret
from desktop_app.domain.environment import Environment
from desktop_app.domain.snapshot import AccountSpec


def sim_account_specs(sim: Any) -> tuple[AccountSpec, ...]:
    """AccountSpecs for the simulator's accounts; the keys never leave memory."""
    environment = demo_environment(sim)
    return tuple(
        AccountSpec(
            account_id=f"demo-{account.uid}",
            name=account.name,
            environment=environment,
            credentials=Credentials(account.api_key, Secret(account.api_secret), KeyType(account.key_type)),
        )
        for account in sim.accounts
    )


def demo_environment(sim: Any) -> Environment:
    """The simulator's host: its streams share the REST port, so the URLs derive from the base URL
    exactly as for any custom environment (the one a user would type)."""
    return replace(custom(sim.base_url), label="Demo")


def start_demo_simulator(seed: int = 7) -> Any:
    """Start `Simulator(scenario="demo")` with real-time prices on a free loopback port.

    May raise: OSError when no port can be bound.
    """
    from desktop_app.exchange_sim import Simulator

    sim = Simulator(seed=seed, scenario="demo", port=0, realtime=True)
    sim.start()
    return sim
