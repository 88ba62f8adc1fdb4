"""Demo mode: the embedded simulator with its demo accounts, held in memory only."""

from __future__ import annotations

from typing import Any

from desktop_app.bybit.environments import custom
from desktop_app.domain.credentials import Credentials, KeyType, Secret
from desktop_app.domain.environment import Environment, EnvKind
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
    """The simulator's REST host with its stream server: the streams listen on a port of their own,
    so the URLs cannot be derived from the REST URL as `custom()` does."""
    try:
        ws_url = sim.ws_url
    except RuntimeError:  # started without streams: polling only
        return custom(sim.base_url)
    return Environment(EnvKind.CUSTOM, "Demo", sim.base_url, f"{ws_url}/v5/public", f"{ws_url}/v5/private")


def start_demo_simulator(seed: int = 7) -> Any:
    """Start `Simulator(scenario="demo")` with real-time prices on a free loopback port.

    May raise: OSError when no port can be bound.
    """
    from desktop_app.exchange_sim import Simulator

    sim = Simulator(seed=seed, scenario="demo", port=0, realtime=True)
    sim.start()
    return sim
