"""`riskdesk-cli report` starts without what it does not use: no Qt, no charts, no simulator, no
keyring or database when the accounts come from a file, no RSA library for HMAC keys (the bounded
JSON reader of storage is all of storage it needs)."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from desktop_app.cli import build_parser
import desktop_app.commands.report as report
build_parser(["report", "--json"]).parse_args(["report", "--json"])
print(json.dumps(sorted(sys.modules)))
"""
NEVER = ("PySide6", "pyqtgraph", "shiboken6", "desktop_app.ui", "desktop_app.exchange_sim",
         "desktop_app.storage.history", "desktop_app.storage.secrets", "desktop_app.storage.accounts",
         "desktop_app.journal_sync", "desktop_app.copytrade", "keyring", "sqlite3",
         "cryptography", "websockets")


def test_the_report_command_imports_only_what_it_uses() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60,
                          check=True)
    modules = json.loads(done.stdout)
    loaded = [m for m in modules if any(m == name or m.startswith(name + ".") for name in NEVER)]
    assert loaded == []
    assert "desktop_app.risk" in modules and "httpx" in modules  # what it does need


REPORT_PROBE = """
import sys
from desktop_app.domain.market import Side
from desktop_app.risk import ReturnModel, book_from_snapshot, build_report
from tests.risk.factories import account, position, snapshot
a = account("A", (position("BTCUSDT"), position("BTCPERP"), position("ETHUSDT", Side.SHORT, mark=2_000)))
model = ReturnModel.from_closes({"BTC": [100.0, 102.0, 101.0, 104.0, 99.0]}, min_closes=2)
report = build_report(book_from_snapshot(snapshot(a, account("B", (position("BTCUSDT"),)))), model=model)
assert report.exposure[0].long_accounts == ("A", "B"), report.exposure
assert any(v.historical_var_usd for v in report.var), report.var  # the historical quantile ran
print("numpy.ma" in sys.modules)
"""


def test_building_a_report_does_not_import_numpy_masked_arrays() -> None:
    # numpy 2 imports numpy.ma (12-25 ms) the first time np.unique without indices or np.quantile runs
    done = subprocess.run([sys.executable, "-c", REPORT_PROBE], capture_output=True, text=True, timeout=60,
                          check=True)
    assert done.stdout.strip() == "False"
