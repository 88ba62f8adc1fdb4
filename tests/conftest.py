"""Session-wide test settings: Qt renders offscreen, nothing touches the real keyring or config dirs."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test may write into the user's real config or data directories.
os.environ.setdefault("XDG_CONFIG_HOME", os.path.join(os.environ.get("TMPDIR", "/tmp"), "riskdesk-test-config"))
os.environ.setdefault("XDG_DATA_HOME", os.path.join(os.environ.get("TMPDIR", "/tmp"), "riskdesk-test-data"))

pytest_plugins = ["tests.keyring_memory"]
