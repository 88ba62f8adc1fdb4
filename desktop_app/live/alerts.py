"""Alert evaluation for the live worker: the values the window receives, and the Telegram batch text.

The engine runs on every report, polled or repriced. An `AlertUpdate` goes out when something
happened (events) or when the set of active alerts or their worst severity changed; a value that
merely moved inside an active alert is not worth waking the window ten times a second.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.alerts import ActiveAlert, AlertConfig, AlertEngine, AlertEvent, Severity
from desktop_app.alerts.text import severity_text
from desktop_app.domain.api_key import ApiKeyInfo
from desktop_app.domain.credentials import Secret
from desktop_app.domain.snapshot import PortfolioSnapshot
from desktop_app.i18n import translate
from desktop_app.risk import RiskReport

TELEGRAM_API_URL = "https://api.telegram.org"
MAX_EVENTS_PER_MESSAGE = 20  # a crash across 20 accounts still fits one readable Telegram message


@dataclass(frozen=True, slots=True)
class AlertUpdate:
    """What changed in the alerts after one evaluation."""

    events: tuple[AlertEvent, ...]  # transitions of this evaluation, ordered by rule and subject
    active: tuple[ActiveAlert, ...]  # every alert raised now, worst first
    worst: Severity | None  # the tray colour; None when all is quiet


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    """Where alert notifications go; a None token disables sending."""

    token: Secret | None
    chat_id: str
    api_url: str = TELEGRAM_API_URL  # another for a proxy (and for tests: a local stand-in)


@dataclass(frozen=True, slots=True)
class TelegramResult:
    """The outcome of a Telegram send (a test, or a failed alert message). Never holds the token."""

    ok: bool
    message: str


class AlertTracker:
    """Owns the AlertEngine of the worker; not thread-safe (the worker's loop only)."""

    def __init__(self, config: AlertConfig | None = None, *, poll_interval_s: float) -> None:
        self.engine = AlertEngine(config, poll_interval_s=poll_interval_s)
        self._shown: tuple[tuple[tuple[str, str], Severity, str], ...] = ()
        self._worst: Severity | None = None
        self.evaluations = 0  # how many reports were evaluated (tests and benchmarks read it)

    def set_config(self, config: AlertConfig) -> None:
        self.engine.set_config(config)

    def set_poll_interval(self, seconds: float) -> None:
        self.engine.poll_interval_s = seconds

    def set_api_key_info(self, account_id: str, info: ApiKeyInfo | None) -> None:
        self.engine.set_api_key_info(account_id, info)

    def evaluate(self, report: RiskReport, snapshot: PortfolioSnapshot | None,
                 now_s: float | None = None) -> AlertUpdate | None:
        """Run the rules; the update to send, or None when nothing the window shows changed."""
        self.evaluations += 1
        events = self.engine.evaluate(report, snapshot, now_s)
        active = self.engine.active()
        worst = self.engine.worst_severity()
        # The banner shows each alert's message with its latest value ("MM rate 82%"): a new value
        # is news for the window even when no alert changed severity, or the banner would go stale.
        shown = tuple((a.key, a.severity, a.message) for a in active)
        if not events and shown == self._shown and worst == self._worst:
            return None
        self._shown, self._worst = shown, worst
        return AlertUpdate(events=events, active=active, worst=worst)


def telegram_text(events: tuple[AlertEvent, ...]) -> str | None:
    """One message for the events that deserve a notification (raised, escalated); None if none do."""
    notify = [e for e in events if e.kind.notify]
    if not notify:
        return None
    shown = notify[:MAX_EVENTS_PER_MESSAGE]
    lines = [f"{_icon(e.severity)} {severity_text(e.severity).upper()}: {e.message}" for e in shown]
    if len(notify) > MAX_EVENTS_PER_MESSAGE:
        lines.append(translate("alerts", "… and {n} more alerts (see RiskDesk).").format(
            n=len(notify) - MAX_EVENTS_PER_MESSAGE))
    return "RiskDesk\n" + "\n".join(lines)


def _icon(severity: Severity) -> str:
    return {Severity.CRITICAL: "🔴", Severity.WARNING: "🟠"}.get(severity, "ℹ️")
