from tests.sim_fixtures import sim, sim_realtime  # noqa: F401
