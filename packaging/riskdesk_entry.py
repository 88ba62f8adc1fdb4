"""PyInstaller entry point: the frozen `RiskDesk` executable runs the same `main` as `riskdesk`."""

from __future__ import annotations

import sys

from desktop_app.ui.app import main

if __name__ == "__main__":
    sys.exit(main())
