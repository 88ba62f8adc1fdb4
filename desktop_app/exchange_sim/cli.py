"""`riskdesk-cli simulate`: run the local simulator and print its base URL and demo keys.

The keys printed are fake demo keys that only this simulator accepts; printing them is the point.
"""

from __future__ import annotations

import argparse
import sys
import threading

from desktop_app.exchange_sim.accounts import make_demo_accounts
from desktop_app.exchange_sim.simulator import SCENARIOS, Simulator


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free port)")
    parser.add_argument("--scenario", choices=SCENARIOS, default="demo",
                        help="demo: random walk; crash: BTC -15%% over --crash-duration-s, others by beta")
    parser.add_argument("--seed", type=int, default=7, help="seed for prices and keys (default 7)")
    parser.add_argument("--accounts", type=int, default=5, help="number of demo accounts (default 5)")
    parser.add_argument("--crash-delay-s", type=float, default=30.0, help="delay before the crash starts")
    parser.add_argument("--crash-duration-s", type=float, default=600.0, help="crash duration in seconds")
    parser.add_argument("--crash-drop", type=float, default=0.15, help="BTC's fall as a fraction (0.15)")
    parser.add_argument("--page-size", type=int, default=0,
                        help="cap on page sizes, to exercise a client's pagination (0: Bybit's limits)")
    faults = parser.add_argument_group("fault injection")
    faults.add_argument("--latency-ms", type=float, default=0.0, help="added to every request")
    faults.add_argument("--error-rate-5xx", type=float, default=0.0, help="fraction answered 502/503/504")
    faults.add_argument("--error-rate-10006", type=float, default=0.0, help="fraction answered retCode 10006")
    faults.add_argument("--error-rate-10016", type=float, default=0.0, help="fraction answered retCode 10016")
    faults.add_argument("--timeout-rate", type=float, default=0.0, help="fraction never answered")
    faults.add_argument("--timeout-mode", choices=("hold", "close"), default="hold",
                        help="hold the request open, or drop the connection")
    faults.add_argument("--malformed-rate", type=float, default=0.0, help="fraction with a broken body")
    faults.add_argument("--clock-skew-ms", type=int, default=0, help="server clock = local clock + skew")
    faults.add_argument("--fail-account", action="append", default=[], metavar="NAME",
                        help="every private request of this account fails (repeatable)")


def run(args: argparse.Namespace, *, stop: threading.Event | None = None) -> int:
    """Serve until Ctrl-C (or until `stop` is set, for tests). Returns the exit status."""
    for name in ("error_rate_5xx", "error_rate_10006", "error_rate_10016", "timeout_rate", "malformed_rate"):
        if not 0.0 <= getattr(args, name) <= 1.0:
            print(f"--{name.replace('_', '-')} must be between 0 and 1", file=sys.stderr)
            return 2
    try:
        accounts = make_demo_accounts(args.accounts, seed=args.seed)
        sim = Simulator(seed=args.seed, scenario=args.scenario, port=args.port, accounts=accounts,
                        page_size_cap=args.page_size or None, crash_delay_s=args.crash_delay_s,
                        crash_duration_s=args.crash_duration_s, crash_drop=args.crash_drop)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    names = {a.name: a.uid for a in accounts}
    unknown = [n for n in args.fail_account if n not in names]
    if unknown:
        print(f"error: unknown account(s) {', '.join(unknown)}; known: {', '.join(names)}", file=sys.stderr)
        return 2
    f = sim.faults
    for name in ("latency_ms", "error_rate_5xx", "error_rate_10006", "error_rate_10016", "timeout_rate",
                 "timeout_mode", "malformed_rate", "clock_skew_ms"):
        setattr(f, name, getattr(args, name))
    for name in args.fail_account:
        f.fail(names[name])
    try:
        sim.start()
    except OSError as exc:
        print(f"error: cannot listen on 127.0.0.1:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        _print_banner(sim)
        (stop or threading.Event()).wait() if stop else _wait_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0


def _wait_forever() -> None:
    forever = threading.Event()
    while not forever.wait(3600):
        pass


def _print_banner(sim: Simulator) -> None:
    print(f"Bybit V5 simulator listening on {sim.base_url}  (scenario {sim.scenario}, seed {sim.seed})")
    if sim.streams is not None:
        print("WebSocket streams on the same port (a custom base URL finds them):")
        print(f"  public   {sim.ws_url}/v5/public/linear   (also /spot, /inverse, /option)")
        print(f"  private  {sim.ws_url}/v5/private")
    print("Demo accounts (fake keys, valid only on this simulator):")
    for a in sim.accounts:
        flags = ["classic" if a.classic else "UTA", a.margin_mode]
        if not a.read_only:
            flags.append("KEY CAN TRADE" + (" AND WITHDRAW" if a.can_withdraw else ""))
        print(f"  {a.name:<12} uid {a.uid}  key {a.api_key}  ({', '.join(flags)})")
        if a.key_type == "rsa":
            print("    RSA key; private key (PEM) to paste as the secret:")
            print("\n".join("    " + line for line in a.api_secret.strip().splitlines()))
        else:
            print(f"    secret {a.api_secret}")
    print("Press Ctrl-C to stop.", flush=True)
