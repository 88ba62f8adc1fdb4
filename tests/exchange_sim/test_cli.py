"""`riskdesk-cli simulate` argument handling and banner."""

from __future__ import annotations

import argparse
import threading

import httpx
import pytest

from desktop_app.exchange_sim import cli


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_run_prints_url_and_demo_keys(capsys: pytest.CaptureFixture[str]) -> None:
    stop = threading.Event()
    stop.set()        # serve, print, and return at once
    assert cli.run(_args("--latency-ms", "5", "--fail-account", "Hedge"), stop=stop) == 0
    out = capsys.readouterr().out
    assert "http://127.0.0.1:" in out
    # The stream URLs, on the REST port (what a custom base URL derives).
    port = out.split("listening on http://127.0.0.1:", 1)[1].split()[0]
    assert f"  public   ws://127.0.0.1:{port}/v5/public/linear   (also /spot, /inverse, /option)\n" in out
    assert f"  private  ws://127.0.0.1:{port}/v5/private\n" in out
    for name in ("Main", "Isolated", "Portfolio", "Classic", "Hedge"):
        assert f"  {name} " in out
    assert "BEGIN PRIVATE KEY" in out and "KEY CAN TRADE AND WITHDRAW" in out


def test_run_rejects_unknown_account_and_bad_rates(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(_args("--fail-account", "Nobody")) == 2
    assert cli.run(_args("--error-rate-5xx", "1.5")) == 2
    assert "Nobody" in capsys.readouterr().err


def test_standalone_simulator_pages_as_bybit_does_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    """A client that does not walk cursors (most scripts) gets what Bybit gives it: a whole
    instruments-info list in one page (Bybit's default limit is 500). Capping pages is opt-in."""
    stop = threading.Event()
    worker = threading.Thread(target=cli.run, args=(_args("--port", "0"),), kwargs={"stop": stop})
    worker.start()
    try:
        out = ""
        for _ in range(200):
            out += capsys.readouterr().out
            if "listening on http://127.0.0.1:" in out:
                break
            stop.wait(0.05)
        port = out.split("listening on http://127.0.0.1:", 1)[1].split()[0]
        body = httpx.get(f"http://127.0.0.1:{port}/v5/market/instruments-info",
                         params={"category": "linear"}, timeout=10).json()
    finally:
        stop.set()
        worker.join(timeout=10)
    symbols = [row["symbol"] for row in body["result"]["list"]]
    assert body["retCode"] == 0 and body["result"]["nextPageCursor"] == ""
    assert {"BTCUSDT", "ETHUSDT", "BTCPERP"} <= set(symbols) and len(symbols) > 3
