"""The header of key figures: equity, uPnL, exposure, worst MM rate, VaR and the first liquidation.

Rendered as soon as an update arrives (it is a handful of labels); severity colours mark what needs
attention, everything else keeps the palette's colours. Figures recomputed from streamed prices
between two REST refreshes carry a "streamed" badge with the time of the last REST confirmation,
until the next REST update arrives.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from desktop_app.alerts.rules import first_liquidation_headline
from desktop_app.i18n import tr
from desktop_app.risk.results import VarResult
from desktop_app.ui import format as fmt


@dataclass(frozen=True, slots=True)
class HeaderFigures:
    """What the header shows, computed from one update (kept separate so it is testable without Qt)."""

    equity_usd: float | None
    unrealised_pnl_usd: float | None
    net_exposure_usd: float | None
    gross_exposure_usd: float | None
    worst_mm_rate: float | None
    worst_mm_account: str | None
    var_usd: float | None
    var_confidence: float | None
    var_horizon_days: int | None
    first_liq_coin: str | None
    first_liq_shock: float | None
    first_liq_account: str | None
    stale_accounts: int
    accounts_with_data: int = 0  # accounts whose figures (fresh or last good) are in the report
    repriced: bool = False  # from streamed prices, not yet confirmed by a REST refresh
    rest_at_s: float | None = None  # epoch seconds of the last REST snapshot


def is_repriced(update: object) -> bool:
    """Whether the update's figures come from streamed prices rather than a REST refresh."""
    report = getattr(update, "report", None)
    return bool(getattr(report, "repriced", False)) or getattr(report, "source", "snapshot") == "stream"


def clock_text(epoch_s: float | None) -> str:
    """Local wall-clock time of `epoch_s` ("14:03:27"), or "—"."""
    if epoch_s is None:
        return "—"
    return QDateTime.fromMSecsSinceEpoch(round(epoch_s * 1000)).toString("HH:mm:ss")


HEADER_VAR_CONFIDENCE = 0.95


def pick_var(results: tuple[VarResult, ...], confidence: float) -> VarResult | None:
    """The VaR at `confidence`, or the closest level computed (settings choose the levels)."""
    if not results:
        return None
    return min(results, key=lambda v: (abs(v.confidence - confidence), v.horizon_days))


def header_figures(update: object) -> HeaderFigures:
    report = update.report  # type: ignore[attr-defined]
    totals = report.totals
    worst_rate: float | None = None
    worst_name: str | None = None
    for account in report.accounts:
        rate = fmt.as_float(account.mm_rate)
        if rate is not None and (worst_rate is None or rate > worst_rate):
            worst_rate, worst_name = rate, account.name
    var = pick_var(report.var, HEADER_VAR_CONFIDENCE)
    first = report.first_liquidation
    return HeaderFigures(
        equity_usd=fmt.as_float(totals.equity_usd),
        unrealised_pnl_usd=fmt.as_float(totals.unrealised_pnl_usd),
        net_exposure_usd=fmt.as_float(totals.net_exposure_usd),
        gross_exposure_usd=fmt.as_float(totals.gross_exposure_usd),
        worst_mm_rate=worst_rate,
        worst_mm_account=worst_name,
        var_usd=None if var is None else fmt.as_float(var.var_usd),
        var_confidence=None if var is None else fmt.as_float(var.confidence),
        var_horizon_days=None if var is None else int(var.horizon_days),
        first_liq_coin=None if first is None else first.coin,
        first_liq_shock=None if first is None else fmt.as_float(first.shock),
        first_liq_account=None if first is None else first.account,
        stale_accounts=sum(1 for a in update.snapshot.accounts if not a.ok),  # type: ignore[attr-defined]
        accounts_with_data=sum(1 for a in update.snapshot.accounts  # type: ignore[attr-defined]
                               if a.data is not None),
        repriced=is_repriced(update),
        rest_at_s=fmt.as_float(getattr(update.snapshot, "taken_at", None)),  # type: ignore[attr-defined]
    )


class _Tile(QWidget):
    def __init__(self, caption: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.caption = QLabel(caption, self)
        small = self.caption.font()
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.85))
        self.caption.setFont(small)
        self.value = QLabel("—", self)
        big = self.value.font()
        big.setPointSizeF(big.pointSizeF() * 1.35)
        big.setWeight(QFont.Weight.DemiBold)
        self.value.setFont(big)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QGridLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        layout.setVerticalSpacing(0)
        layout.addWidget(self.caption, 0, 0)
        layout.addWidget(self.value, 1, 0)

    def show_value(self, text: str, severity: fmt.Severity = fmt.Severity.NONE, tooltip: str = "") -> None:
        fmt.set_label_text(self.value, text)
        fmt.set_severity_style(self.value, severity)
        if self.toolTip() != tooltip:
            self.setToolTip(tooltip)


class HeaderBar(QFrame):
    sig_add_account = Signal()  # the empty state's "Add an account…"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.equity = _Tile(self.tr("Total equity"), self)
        self.upnl = _Tile(self.tr("Unrealised PnL"), self)
        self.net = _Tile(self.tr("Net exposure"), self)
        self.gross = _Tile(self.tr("Gross exposure"), self)
        self.worst_mm = _Tile(self.tr("Worst MM rate"), self)
        self.var = _Tile(self.tr("1-day VaR 95%"), self)
        self.first_liq = _Tile(self.tr("First liquidation"), self)
        layout = QGridLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        tiles = (self.equity, self.upnl, self.net, self.gross, self.worst_mm, self.var)
        for column, tile in enumerate(tiles):
            layout.addWidget(tile, 0, column)
        # The headline may be long ("ETH −12.3% → Hedge account liquidated"): it wraps instead of
        # widening the whole window, which would squeeze the docks' tables out of sight.
        self.first_liq.value.setWordWrap(True)
        self.first_liq.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.first_liq.setMinimumWidth(180)
        layout.addWidget(self.first_liq, 0, 6)
        layout.setColumnStretch(6, 1)
        self.stream_badge = QLabel(self)
        self.stream_badge.setObjectName("streamBadge")
        self.stream_badge.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.stream_badge.setVisible(False)
        layout.addWidget(self.stream_badge, 0, 7)
        self._tiles = (*tiles, self.first_liq)
        # No account yet: an invitation instead of figures, which would read as "all safe".
        self.empty = QWidget(self)
        self.empty.setObjectName("emptyState")
        empty_layout = QHBoxLayout(self.empty)
        self.empty_label = QLabel(self.tr(
            "No account yet. Add a Bybit account with a read-only API key to see its risk here."), self.empty)
        self.empty_label.setWordWrap(True)
        self.add_button = QPushButton(self.tr("Add an account…"), self.empty)
        self.add_button.clicked.connect(self.sig_add_account)
        empty_layout.addWidget(self.empty_label, 1)
        empty_layout.addWidget(self.add_button)
        layout.addWidget(self.empty, 1, 0, 1, 8)
        self.empty.setVisible(False)
        self.figures: HeaderFigures | None = None

    def set_empty(self, empty: bool) -> None:
        """Show the invitation to add an account instead of the figures (or the figures again)."""
        self.empty.setVisible(empty)
        for tile in self._tiles:
            tile.setVisible(not empty)
        if empty:
            self.stream_badge.setVisible(False)

    @property
    def is_empty(self) -> bool:
        return not self.empty.isHidden()

    def render(self, figures: HeaderFigures) -> None:  # type: ignore[override]
        self.figures = figures
        if self.is_empty:
            return
        stale_note = "" if figures.stale_accounts == 0 else self.tr(
            "Includes the last good data of {n} stale account(s).").format(n=figures.stale_accounts)
        self.equity.show_value(fmt.usd(figures.equity_usd),
                               fmt.Severity.WARN if figures.stale_accounts else fmt.Severity.NONE, stale_note)
        self.upnl.show_value(fmt.usd(figures.unrealised_pnl_usd, signed=True),
                             fmt.pnl_severity(figures.unrealised_pnl_usd))
        self.net.show_value(fmt.usd(figures.net_exposure_usd, signed=True))
        self.gross.show_value(fmt.usd(figures.gross_exposure_usd))
        worst = fmt.rate(figures.worst_mm_rate)
        if figures.worst_mm_account:
            worst = f"{worst} · {figures.worst_mm_account}"
        self.worst_mm.show_value(
            worst, fmt.mm_rate_severity(figures.worst_mm_rate),
            self.tr("Account maintenance-margin rate; the account is liquidated at 100%."))
        if figures.var_confidence is not None and figures.var_horizon_days is not None:
            self.var.caption.setText(self.tr("{days}-day VaR {level}").format(
                days=figures.var_horizon_days, level=fmt.percent(figures.var_confidence, decimals=0)))
        self.var.show_value(fmt.usd(figures.var_usd))
        explanation = self.tr("The smallest move of one coin (others following by beta) that liquidates an "
                              "account.")
        self.first_liq.show_value(first_liquidation_text(figures), first_liquidation_severity(figures),
                                  f"{explanation}\n{stale_note}" if stale_note else explanation)
        self._render_badge(figures)

    def _render_badge(self, figures: HeaderFigures) -> None:
        if not figures.repriced:
            self.stream_badge.setVisible(False)
            return
        fmt.set_label_text(self.stream_badge, self.tr("● streamed prices"))
        fmt.set_severity_style(self.stream_badge, fmt.Severity.WARN)
        self.stream_badge.setToolTip(self.tr(
            "Live prices — awaiting REST confirmation. These figures were recomputed from streamed mark "
            "prices; balances and positions are those of the last REST refresh at {time}.").format(
            time=clock_text(figures.rest_at_s)))
        self.stream_badge.setVisible(True)


def first_liquidation_text(figures: HeaderFigures) -> str:
    """"BTC −8.4% → Hedge liquidated" (as the alerts say it), none within the range the risk engine
    searches (one coin from −99% to +500%, risk/scenarios.py), or
    unknown when no account has given any data: no data must never read as "all safe". With stale
    accounts among those searched, it says so."""
    if figures.first_liq_coin is not None and figures.first_liq_shock is not None:
        return first_liquidation_headline(figures.first_liq_coin, figures.first_liq_shock,
                                          figures.first_liq_account or "?")
    if figures.accounts_with_data == 0:
        return tr("Unknown: no account has answered")
    if figures.stale_accounts:
        return tr("No liquidation from −99% to +500% (stale data)")
    return tr("No liquidation from −99% to +500%")


def first_liquidation_severity(figures: HeaderFigures) -> fmt.Severity:
    """Red or amber for a near liquidation; green "none within range" only when every account is
    fresh; no colour when nothing is known."""
    if figures.first_liq_shock is not None:
        return fmt.shock_severity(figures.first_liq_shock)
    if figures.accounts_with_data == 0:
        return fmt.Severity.NONE
    return fmt.Severity.WARN if figures.stale_accounts else fmt.Severity.OK
