"""`riskdesk-cli watch`: the window's monitoring without the window, for an always-on machine.

It runs the window's own monitoring loop (desktop_app.live.LiveLoop: every account refreshed on its
own within its deadline, streamed marks repricing between polls, the alert rules with hysteresis and
cool-down, the history database, Telegram) and prints a line per change of state (watch_output.py).
It is the configuration's single writer: it holds the config dir's writer lock (storage/writer_lock.py)
for its whole life; a second watcher is refused (exit 4) and the window opens as a viewer of what
it records. The alert engine's memory is kept in the data dir (storage/watch_state.py), so a restart
or the next `--once` run does not raise, nor send, an alert that is already raised; alert messages
Telegram has not taken are kept there too (whenever they change, so even a `kill -9` loses none)
and sent by the next run (within an hour).

While it runs it follows the app's settings file: thresholds, chat and interval changed in the window
apply within an interval (watch_follow.py).

SIGTERM or SIGINT (also during `--once`): the refreshes in flight are cancelled, the history queue is
written, connections close, exit 0 within a few seconds. Exit status: 0 stopped (or `--once` with
every account fetched), 2 bad arguments or input (one line), 3 `--once` with some account failed (or
no answer at all), 4 another RiskDesk process writes this configuration, 1 an unexpected error (one
line: a bug to report).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from desktop_app import i18n
from desktop_app.alerts.text import one_line
from desktop_app.bybit.errors import BybitError
from desktop_app.commands.accounts_source import deadline_seconds
from desktop_app.commands.watch_follow import SettingsFollower
from desktop_app.commands.watch_input import (
    TOKEN_ENV,
    WatchInputError,
    WatchPlan,
    interval_seconds,
    resolve_plan,
)
from desktop_app.commands.watch_output import WatchOutput
from desktop_app.live.alerts import TELEGRAM_API_URL
from desktop_app.live.loop import LiveLoop, LiveSinks
from desktop_app.live.report_options import ReportOptions
from desktop_app.service import PortfolioUpdate, RiskService
from desktop_app.storage.errors import StorageError
from desktop_app.storage.watch_state import WatchState, load_watch_state, save_watch_state
from desktop_app.storage.writer_lock import WATCHER, WriterLock, WriterLockHeld

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_ACCOUNT_FAILED, EXIT_LOCKED = 0, 1, 2, 3, 4
CLOSE_TIMEOUT_S = 3.0  # the history queue's last batch, the streams and the pool, after a signal
STOP_TELEGRAM_GRACE_S = 1.0  # an alert message still on its way when the signal came
ONCE_TELEGRAM_GRACE_S = 30.0  # --once exists to deliver its alerts: give an outage a little time
MAX_UNDELIVERED_AGE_S = 3600.0  # older alert messages left by an earlier run are news no more


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--accounts", metavar="FILE", type=Path,
                        help="JSON file with accounts and their secrets (instead of the app's configuration)")
    parser.add_argument("--config-dir", metavar="DIR", type=Path,
                        help="the app's configuration directory (default: the platform's); settings, "
                             "history and the watcher's state live there")
    parser.add_argument("--interval", metavar="S", type=interval_seconds,
                        help="refresh every S seconds (default: the app's setting); with --once, how "
                             "often cron runs it (the stale-data alert counts in intervals)")
    parser.add_argument("--deadline", metavar="SECONDS", type=deadline_seconds,
                        help="give up on an account that has not answered completely within SECONDS "
                             "(default: the app's setting)")
    parser.add_argument("--telegram-chat", metavar="ID",
                        help="Telegram chat id or @channel (default: the app's setting)")
    parser.add_argument("--telegram-api-url", metavar="URL", default=TELEGRAM_API_URL,
                        help=f"Bot API base URL, for a proxy (default {TELEGRAM_API_URL}); the bot "
                             f"token comes from the keyring or {TOKEN_ENV}")
    parser.add_argument("--no-telegram", action="store_true", help="send nothing, only print")
    parser.add_argument("--once", action="store_true",
                        help="one refresh, alerts evaluated against the stored state, then exit (cron)")
    parser.add_argument("--verbose", "-v", action="store_true", help="also print a summary every interval")
    parser.add_argument("--lang", choices=i18n.LANGUAGES,
                        help="language of the alert messages (default: the app's setting, else the system's)")


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    print(f"riskdesk-cli watch: {message}", file=sys.stderr, flush=True)
    return code


def run(args: argparse.Namespace) -> int:
    try:
        plan = resolve_plan(args)
        i18n.use_language(plan.language)
    except (WatchInputError, i18n.CatalogError) as exc:
        return _fail(str(exc))
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        lock = WriterLock.acquire(plan.paths.config_dir, WATCHER)
    except WriterLockHeld as exc:
        return _fail(f"{exc}; stop it first, or give this watcher another --config-dir", EXIT_LOCKED)
    except OSError as exc:
        return _fail(f"cannot use the config dir {plan.paths.config_dir}: {exc.strerror or exc}")
    try:
        watcher = Watcher(plan, args)
        return watcher.once() if args.once else watcher.forever()
    except Exception as exc:  # a bug: one line and a status of its own, never a traceback
        return _fail(f"stopped by an unexpected error ({type(exc).__name__}: {one_line(str(exc), None)})",
                     EXIT_INTERNAL)
    finally:
        lock.release()


class Watcher:
    def __init__(self, plan: WatchPlan, args: argparse.Namespace) -> None:
        self.plan = plan
        self.args = args
        self.verbose = args.verbose
        state, problem = load_watch_state(plan.paths.watch_state_file)
        self.output = WatchOutput(failed=frozenset(state.failed_accounts), on_change=self.save)
        if problem:
            self.output.line(f"state problem: {problem}")
        for warning in plan.warnings:
            self.output.line(f"settings problem: {warning}")
        self._state = state
        self._save_failed = False
        self.loop: LiveLoop | None = None
        self.stopped_by: str | None = None  # the signal that stopped it
        # Alert messages the last run could not deliver go out first, unless they are stale by now.
        now = time.time()
        self._undelivered_since = {text: since_s for text, since_s in state.undelivered
                                   if now - since_s <= MAX_UNDELIVERED_AGE_S and plan.telegram is not None}
        stale = len(state.undelivered) - len(self._undelivered_since)
        if stale:
            self.output.line(f"Telegram: {stale} alert message(s) an earlier run could not deliver are "
                             f"dropped (older than {MAX_UNDELIVERED_AGE_S / 3600:g} h, or Telegram is off)")

    def _live_loop(self, *, streams: bool) -> LiveLoop:
        output, plan = self.output, self.plan
        sinks = LiveSinks(update=output.on_update, alerts=output.on_alerts, error=output.on_error,
                          telegram=output.on_telegram, outbox=lambda _waiting: self.save())
        self.loop = LiveLoop(plan.accounts, sinks=sinks, interval_s=plan.interval_s,
                             service_factory=lambda: RiskService(deadline_s=plan.deadline_s),
                             alert_config=plan.settings.alerts, history_path=plan.paths.history_db,
                             streams=streams, close_timeout_s=CLOSE_TIMEOUT_S,
                             engine_state=self._state.engine, telegram=plan.telegram,
                             resend=tuple(self._undelivered_since),
                             report_options=ReportOptions.from_settings(plan.settings))
        return self.loop

    def save(self) -> None:
        """Keep the alert engine's memory, the failing accounts and the alert messages Telegram has
        not taken yet (with when each was first kept) for the next run."""
        session = self.loop.session if self.loop is not None else None
        if session is None:
            return
        now = time.time()
        since = self._undelivered_since
        self._undelivered_since = {text: since.get(text, now) for text in session.undelivered}
        state = WatchState(session.alerts.engine.export_state(), tuple(sorted(self.output.failed)),
                           tuple(self._undelivered_since.items()))
        try:
            save_watch_state(self.plan.paths.watch_state_file, state)
        except StorageError as exc:
            if not self._save_failed:  # once: a full disk would otherwise print on every change
                self.output.line(f"state problem: {exc}")
            self._save_failed = True
        else:
            self._save_failed = False

    def _banner(self, mode: str) -> None:
        plan = self.plan
        names = ", ".join(a.name for a in plan.accounts)
        if plan.telegram is None:
            telegram = "off"
        else:
            host = urlsplit(plan.telegram.api_url).hostname  # never the whole URL: a path could hold a token
            telegram = f"chat {plan.telegram.chat_id} via {host}"
        self.output.line(f"{mode}: {len(plan.accounts)} accounts ({names}) every {plan.interval_s:g} s; "
                         f"history {plan.paths.history_db}; Telegram {telegram}")

    def _stop_on_signal(self, task: asyncio.Future[object]) -> Callable[[str], None]:
        def stop(name: str) -> None:
            if self.stopped_by is None:  # a second signal while closing must not cut the last write short
                self.stopped_by = name
                task.cancel()  # first: saying so may fail (a closed output), stopping must not
                self.output.line(f"{name} received: stopping")

        return stop

    # --- --once -----------------------------------------------------------------------------------

    def once(self) -> int:
        self._banner("checking once")
        try:
            update = asyncio.run(self._once())
        except BybitError as exc:  # a total outage: said in one line, an account status
            self.save()
            self.output.line(f"refresh problem: {one_line(str(exc), None)}")
            return EXIT_ACCOUNT_FAILED
        except Exception:
            self.save()
            raise  # a bug: run() says it in one line, exit 1
        self.save()
        if update is None:
            self.output.line("stopped")
            return EXIT_OK
        if self.verbose:
            self.output.line(self.output.summary())
        return EXIT_OK if update.snapshot.complete else EXIT_ACCOUNT_FAILED

    async def _once(self) -> PortfolioUpdate | None:
        """The refresh's update, or None when a signal stopped it."""
        loop = self._live_loop(streams=False)
        task = asyncio.ensure_future(loop.run_once(telegram_grace_s=ONCE_TELEGRAM_GRACE_S))
        remove = install_stop_handlers(self._stop_on_signal(task))
        try:
            return await task
        except asyncio.CancelledError:
            if not task.cancelled() or self.stopped_by is None:
                raise  # not our stop
            return None
        finally:
            remove()

    # --- the long run -----------------------------------------------------------------------------

    def forever(self) -> int:
        self._banner("watching")
        asyncio.run(self._forever())
        self.save()
        self.output.line("stopped")
        return EXIT_OK

    async def _forever(self) -> None:
        loop = self._live_loop(streams=True)
        task = asyncio.ensure_future(loop.run(telegram_grace_s=STOP_TELEGRAM_GRACE_S))
        remove = install_stop_handlers(self._stop_on_signal(task))
        ticks = asyncio.ensure_future(self._every_interval(SettingsFollower(self.plan, self.args, loop,
                                                                            self.output.line)))
        try:
            await task
        except asyncio.CancelledError:
            pass  # cancelled before the loop's own handler was reached, or while it closed
        finally:
            remove()
            ticks.cancel()

    async def _every_interval(self, follower: SettingsFollower) -> None:
        """The summary (with --verbose) and a look at the settings file, once per interval. A bug in
        either is one line; the next interval goes on (or settings would silently stop applying)."""
        assert self.loop is not None
        while True:
            await asyncio.sleep(self.loop.interval_s)
            try:
                if self.verbose:
                    self.output.line(self.output.summary())
                follower.check()
            except Exception as exc:
                self.output.line(f"settings problem: following the settings failed "
                                 f"({type(exc).__name__}: {one_line(str(exc), None)})")


def install_stop_handlers(stop: Callable[[str], None]) -> Callable[[], None]:
    """SIGTERM and SIGINT (and SIGBREAK on Windows) call `stop(name)` on the running loop; returns
    the function that removes them."""
    loop = asyncio.get_running_loop()
    names = ["SIGTERM", "SIGINT", "SIGBREAK"]
    signals = [getattr(signal, n) for n in names if hasattr(signal, n)]
    if sys.platform != "win32":
        for sig in signals:
            loop.add_signal_handler(sig, stop, sig.name)

        def remove() -> None:
            for sig in signals:
                loop.remove_signal_handler(sig)

        return remove
    previous = {sig: signal.getsignal(sig) for sig in signals}  # pragma: no cover - Windows

    def handler(number: int, _frame: object) -> None:  # pragma: no cover - Windows
        loop.call_soon_threadsafe(stop, signal.Signals(number).name)

    for sig in signals:  # pragma: no cover - Windows has no add_signal_handler
        signal.signal(sig, handler)

    def restore() -> None:  # pragma: no cover - Windows
        for sig, handler in previous.items():
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(sig, handler)

    return restore
