"""Session-wide test settings: Qt renders offscreen, nothing touches the real keyring or config dirs."""

from __future__ import annotations

import os
import tempfile

from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test may write into the user's real config or data directories: point the platform dirs at a
# throw-away folder before anything imports platformdirs.
_SANDBOX = tempfile.mkdtemp(prefix="riskdesk-tests-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_SANDBOX, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_SANDBOX, "data")
os.environ["XDG_CACHE_HOME"] = os.path.join(_SANDBOX, "cache")

pytest_plugins = ["tests.keyring_memory", "tests.sim_fixtures"]

# Property tests are deterministic: the same examples on every run and every machine, no database.
settings.register_profile("riskdesk", derandomize=True, database=None, deadline=None)
settings.load_profile("riskdesk")
