"""`riskdesk-cli`: the risk report, stress tests, trade journal, copy-trade replay and the simulator.

Each subcommand lives in its own module with `add_arguments(parser)` and `run(args) -> int`.
Exit status: 0 success, 2 bad arguments or input, 3 some account failed (report, stress, journal,
watch --once), 4 another RiskDesk process writes the configuration (watch).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from desktop_app import __version__

# subcommand -> (module, one-line help). Modules are imported only when their command runs, so
# `riskdesk-cli simulate` does not pay for numpy-heavy risk imports and vice versa.
COMMANDS: dict[str, tuple[str, str]] = {
    "report": ("desktop_app.commands.report", "print the risk report of all configured accounts"),
    "stress": ("desktop_app.commands.stress", "apply price shocks and show who is liquidated"),
    "copytrade": ("desktop_app.commands.copytrade", "replay a master's orders under a follower's settings"),
    "journal": ("desktop_app.commands.journal",
                "realised PnL, win rate, drawdown and funding per account, from Bybit's history"),
    "watch": ("desktop_app.commands.watch",
              "monitor, alert on Telegram and record history without the window (always-on machines)"),
    "simulate": ("desktop_app.exchange_sim.cli", "run the local Bybit V5 simulator"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse's own exit code is 2 as well; keep the reason on one line.
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = _Parser(prog="riskdesk-cli", description="RiskDesk command line (read-only).")
    parser.add_argument("--version", action="version", version=f"riskdesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = next((a for a in argv if a in COMMANDS), None)
    for name, (module, help_text) in COMMANDS.items():
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            importlib.import_module(module).add_arguments(cmd)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(args_list)
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.print_help()
        return 2
    module = importlib.import_module(COMMANDS[args.command][0])
    try:
        return int(module.run(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
