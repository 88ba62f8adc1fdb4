"""The alert thresholds page of the settings dialog: one row per rule, in the rule's own unit.

Fractions are shown and typed as percent (a warning at 50 % is stored as 0.50); staleness is in
refresh intervals and key expiry in days. An empty level disables it. `config()` builds an
`AlertConfig`, which validates the thresholds; its errors are re-worded here so they name the rule
and the level the user sees (and quote levels in percent where the user typed percent).
"""

from __future__ import annotations

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.alerts import RULE_DIRECTIONS, RULE_UNITS, AlertConfig, AlertConfigError, AlertRule
from desktop_app.i18n import tr

_LEVELS = ("warning", "critical", "clear_margin")


def rule_label(rule: str) -> str:
    labels = {
        "mm_rate": tr("Account MM rate"),
        "liq_distance": tr("Position distance to liquidation"),
        "first_liquidation": tr("First-liquidation move"),
        "drawdown": tr("Drawdown from session peak"),
        "concentration": tr("Share of one coin in gross exposure"),
        "hedge": tr("Cross-account hedge"),
        "stale": tr("Stale account data"),
        "api_key_expiry": tr("API key expiry"),
    }
    return labels.get(rule, rule)


def level_label(level: str) -> str:
    return {"enabled": tr("Enabled"), "warning": tr("Warning"), "critical": tr("Critical"),
            "clear_margin": tr("Clear margin")}.get(level, level)


def unit_label(rule: str) -> str:
    unit = RULE_UNITS[rule]
    return {"fraction": tr("%"), "poll_intervals": tr("refresh intervals"), "days": tr("days"),
            "usd": tr("(while present)")}.get(unit, unit)


def _scale(rule: str) -> float:
    """Display units per stored unit: fractions are shown in percent."""
    return 100.0 if RULE_UNITS[rule] == "fraction" else 1.0


def field_name(field: str) -> str:
    """The user-visible name of a config field such as "mm_rate.critical"."""
    if field == "cooldown_s":
        return tr("Cool-down after an alert clears")
    rule, _, level = field.partition(".")
    if not level:
        return rule_label(rule)
    return tr("{rule} — {level}").format(rule=rule_label(rule), level=level_label(level))


def display_number(value: float) -> str:
    return QLocale().toString(float(value), "g", 10)


def parse_number(text: str) -> float | None:
    """The number in `text` (the user's locale, or a plain "." decimal), None when empty.

    May raise: ValueError when the text is not a number.
    """
    text = text.strip().rstrip("%").strip()
    if not text:
        return None
    value, ok = QLocale().toDouble(text)
    if ok:
        return float(value)
    return float(text.replace(",", "."))  # ValueError for anything else


class SettingsProblem(ValueError):
    """An invalid field: `field` is its config name (e.g. "mm_rate.warning"); the message names it
    in the user's words."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class _RuleRow:
    def __init__(self, rule: str, grid: QGridLayout, row: int, parent: QWidget) -> None:
        self.rule = rule
        direction = RULE_DIRECTIONS[rule]
        self.enabled = QCheckBox(rule_label(rule), parent)
        self.enabled.setToolTip({
            "above": tr("Alerts when the value rises to a level"),
            "below": tr("Alerts when the value falls to a level"),
        }.get(direction, tr("Reported (as information) while the condition exists")))
        grid.addWidget(self.enabled, row, 0)
        self.edits: dict[str, QLineEdit] = {}
        for column, level in enumerate(_LEVELS, start=1):
            edit = QLineEdit(parent)
            edit.setObjectName(f"{rule}.{level}")
            edit.setMaximumWidth(90)
            if level != "clear_margin":
                edit.setPlaceholderText(tr("off"))
            if direction == "present":
                edit.setEnabled(False)
                edit.setPlaceholderText("—")
            grid.addWidget(edit, row, column)
            self.edits[level] = edit
        grid.addWidget(QLabel(unit_label(rule), parent), row, len(_LEVELS) + 1)

    def show_rule(self, rule: AlertRule) -> None:
        self.enabled.setChecked(rule.enabled)
        if RULE_DIRECTIONS[self.rule] == "present":
            return
        scale = _scale(self.rule)
        for level in _LEVELS:
            value = getattr(rule, level)
            self.edits[level].setText("" if value is None else display_number(value * scale))

    def read_rule(self, current: AlertRule) -> AlertRule:
        """May raise: SettingsProblem (a level that is not a number)."""
        if RULE_DIRECTIONS[self.rule] == "present":
            return AlertRule(self.enabled.isChecked(), current.warning, current.critical,
                             current.clear_margin)
        values: dict[str, float | None] = {}
        for level in _LEVELS:
            name = f"{self.rule}.{level}"
            try:
                value = parse_number(self.edits[level].text())
            except ValueError:
                message = tr("{field}: not a number").format(field=field_name(name))
                raise SettingsProblem(name, message) from None
            values[level] = None if value is None else value / _scale(self.rule)
        margin = values["clear_margin"]
        return AlertRule(self.enabled.isChecked(), values["warning"], values["critical"],
                         0.0 if margin is None else margin)


class AlertThresholdsEditor(QWidget):
    """Edits an AlertConfig. `config()` returns the validated config or raises SettingsProblem."""

    def __init__(self, config: AlertConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._base = config
        grid = QGridLayout()
        for column, text in enumerate((tr("Rule"), level_label("warning"), level_label("critical"),
                                       level_label("clear_margin"), tr("Unit"))):
            header = QLabel(f"<b>{text}</b>", self)
            grid.addWidget(header, 0, column)
        self.rows: dict[str, _RuleRow] = {}
        for row, rule in enumerate(RULE_DIRECTIONS, start=1):
            self.rows[rule] = _RuleRow(rule, grid, row, self)
        cooldown_row = len(RULE_DIRECTIONS) + 1
        grid.addWidget(QLabel(field_name("cooldown_s"), self), cooldown_row, 0)
        self.cooldown_min = QDoubleSpinBox(self)
        self.cooldown_min.setObjectName("cooldown_s")
        self.cooldown_min.setRange(0.0, 24 * 60.0)
        self.cooldown_min.setDecimals(1)
        self.cooldown_min.setToolTip(tr("After an alert clears, the same alert stays quiet this long unless "
                                         "it comes back critical."))
        grid.addWidget(self.cooldown_min, cooldown_row, 1)
        grid.addWidget(QLabel(tr("minutes"), self), cooldown_row, 2)
        grid.setColumnStretch(len(_LEVELS) + 2, 1)
        note = QLabel(tr("Percent thresholds are percent of the figure (a margin rate of 100 % liquidates "
                          "the account). An empty level is off. An alert clears once the value is back past "
                          "its level by the clear margin."), self)
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(note)
        layout.addStretch(1)
        self.set_config(config)

    def set_config(self, config: AlertConfig) -> None:
        self._base = config
        for rule, row in self.rows.items():
            row.show_rule(config.rule(rule))
        self.cooldown_min.setValue(config.cooldown_s / 60.0)

    def edit_for(self, field: str) -> QWidget | None:
        """The widget that edits the config field `field` (to focus it after an error)."""
        if field == "cooldown_s":
            return self.cooldown_min
        rule, _, level = field.partition(".")
        row = self.rows.get(rule)
        if row is None:
            return None
        return row.enabled if level in ("", "enabled") else row.edits.get(level)

    def config(self) -> AlertConfig:
        """The edited thresholds, validated by AlertConfig.

        May raise: SettingsProblem naming the field in the user's words.
        """
        rules = {rule: row.read_rule(self._base.rule(rule)) for rule, row in self.rows.items()}
        try:
            return AlertConfig(**rules, cooldown_s=self.cooldown_min.value() * 60.0)  # type: ignore[arg-type]
        except AlertConfigError as exc:
            raise SettingsProblem(exc.field, self._explain(exc, rules)) from None

    def _explain(self, exc: AlertConfigError, rules: dict[str, AlertRule]) -> str:
        rule = exc.field.partition(".")[0]
        problem = exc.problem
        if problem.startswith(("must be above the warning level", "must be below the warning level")):
            warning = rules[rule].warning or 0.0
            shown = display_number(warning * _scale(rule)) + (" %" if _scale(rule) != 1.0 else "")
            problem = (tr("must be above the warning level ({level})") if "above" in problem
                       else tr("must be below the warning level ({level})")).format(level=shown)
        elif problem.startswith("must be a number, 0 or more"):
            problem = tr("must be a number, 0 or more")
        return tr("{field}: {problem}").format(field=field_name(exc.field), problem=problem)
