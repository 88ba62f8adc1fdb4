"""Read-only table model of a copy-trade replay: one row per master order, with the skip reason."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex, Qt

from desktop_app.copytrade import OrderResult
from desktop_app.copytrade.explain import fmt, fmt_price
from desktop_app.i18n import tr, translate
from desktop_app.ui.copytrade.models import _LEFT, _RIGHT, SKIPPED_COLOUR, AnyIndex, action_text, reason_text

EXPLANATION_ROLE = Qt.ItemDataRole.UserRole + 1


def translate_template(template: str, params: Mapping[str, str]) -> str:
    """Translate an engine sentence and fill in its fields.

    A translation that broke a `{field}` must not crash the dialog: the English sentence is used.
    """
    try:
        return QCoreApplication.translate("copytrade", template).format(**params)
    except (KeyError, IndexError, ValueError):
        return template.format(**params)


def translated_explanation(result: OrderResult) -> str:
    """The order's sentence in the UI language."""
    params = dict(result.params)
    if "side" in params:
        params["side"] = translate("CopyTradeDialog", params["side"])
    return translate_template(result.template, params)


def _status(r: OrderResult) -> str:
    if not r.copied:
        return tr("skipped")
    return tr("copied (minimum size)") if r.min_qty_used else tr("copied")


# The engine's side words, filled into its sentences ("opens 0.01 BTC long at …").
_SIDES = (QT_TRANSLATE_NOOP("CopyTradeDialog", "long"), QT_TRANSLATE_NOOP("CopyTradeDialog", "short"))

# (title, text, numeric); titles are marked for extraction and translated in headerData. What the
# follower gets comes first, then the master's average entry beside the follower's: on a narrow screen
# (a 1280-px laptop in Thai or Ukrainian) only the master's quantity and price, which the orders table
# above shows too, are left to scroll to.
_COLUMNS: tuple[tuple[str, Callable[[OrderResult], str], bool], ...] = (
    (QT_TRANSLATE_NOOP("CopyTradeDialog", "Order"), lambda r: str(r.order.time), False),
    (QT_TRANSLATE_NOOP("CopyTradeDialog", "Action"), lambda r: action_text(r.order.action), False),
    (QT_TRANSLATE_NOOP("CopyTradeDialog", "Status"), _status, False),
    (QT_TRANSLATE_NOOP("CopyTradeDialog", "Reason"), lambda r: reason_text(r.reason), False),
    (QT_TRANSLATE_NOOP("CopyTradeDialog", "Follower qty"),
     lambda r: fmt(r.follower_qty) if r.copied else "—", True),
    (QT_TRANSLATE_NOOP("CopyTradeDialog", "Follower price"), lambda r: fmt_price(r.follower_price), True),
    (QT_TRANSLATE_NOOP("CopyTradeDialog", "Follower avg entry"),
     lambda r: fmt_price(r.follower_avg_entry), True),
    (QT_TRANSLATE_NOOP("CopyTradeDialog", "Master avg entry"), lambda r: fmt_price(r.master_avg_entry), True),
    (QT_TRANSLATE_NOOP("CopyTradeDialog", "Master qty"), lambda r: fmt(r.order.qty), True),
    (QT_TRANSLATE_NOOP("CopyTradeDialog", "Master price"), lambda r: fmt_price(r.order.price), True),
)
STATUS_COLUMN, REASON_COLUMN = 2, 3  # greyed red when the order was skipped
FOLLOWER_COLUMNS = (4, 5, 6)  # the follower's quantity, price and average entry
MASTER_AVG_COLUMN = 7


class ResultsModel(QAbstractTableModel):
    """Replaced wholesale by `set_results`; rows keep their place when only values change."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._results: tuple[OrderResult, ...] = ()

    def set_results(self, results: Sequence[OrderResult]) -> None:
        new = tuple(results)
        if len(new) != len(self._results):
            self.beginResetModel()
            self._results = new
            self.endResetModel()
            return
        self._results = new
        if new:
            self.dataChanged.emit(self.index(0, 0), self.index(len(new) - 1, len(_COLUMNS) - 1))

    def result(self, row: int) -> OrderResult:
        return self._results[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._results)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return translate("CopyTradeDialog", _COLUMNS[section][0]) if 0 <= section < len(_COLUMNS) else None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._results):
            return None
        result = self._results[index.row()]
        _title, text, numeric = _COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text(result)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if numeric else _LEFT
        if role in (Qt.ItemDataRole.ToolTipRole, EXPLANATION_ROLE):
            return translated_explanation(result)
        skipped_text = not result.copied and index.column() in (STATUS_COLUMN, REASON_COLUMN)
        if role == Qt.ItemDataRole.ForegroundRole and skipped_text:
            return SKIPPED_COLOUR
        return None
