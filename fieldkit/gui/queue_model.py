"""The home screen's queue as a Qt table model over plain summaries (testable without widgets)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from fieldkit.core.catalog import Catalog
from fieldkit.core.dates import VIETNAM_TZ
from fieldkit.core.errors import NotFound
from fieldkit.core.i18n import Translator
from fieldkit.core.text import fold
from fieldkit.core.workflow import LocalStatus
from fieldkit.gui.badges import local_badge, portal_badge
from fieldkit.storage.summaries import DossierSummary

COLUMNS = ("citizen", "procedure", "status", "portal", "updated")
SummaryRole = Qt.ItemDataRole.UserRole + 1
# What needs attention first, then what waits to go, then the rest.
_PRIORITY = {LocalStatus.NEEDS_ATTENTION: 0, LocalStatus.QUEUED: 1, LocalStatus.SENDING: 1}


class QueueModel(QAbstractTableModel):
    def __init__(self, tr: Translator, catalog: Catalog) -> None:
        super().__init__()
        self.tr = tr
        self.catalog = catalog
        self._rows: list[DossierSummary] = []
        self._keys: list[str] = []

    def set_rows(self, rows: list[DossierSummary]) -> None:
        self.beginResetModel()
        self._rows = sorted(rows, key=lambda s: (_PRIORITY.get(s.status, 2), -s.updated_at.timestamp()))
        self._keys = [f"{s.search_key} {fold(self._procedure_name(s.procedure_code))}" for s in self._rows]
        self.endResetModel()

    def summary(self, row: int) -> DossierSummary:
        return self._rows[row]

    def search_key(self, row: int) -> str:
        """Citizen, ID number, procedure code and name, MaHoSo, village: without accents or case."""
        return self._keys[row]

    def _procedure_name(self, code: str) -> str:
        try:
            return self.catalog.get(code).name.in_language(self.tr.lang)
        except NotFound:
            return ""

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's names
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(f"ui.queue.column.{COLUMNS[section]}")
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        summary = self._rows[index.row()]
        column = COLUMNS[index.column()]
        if role == SummaryRole:
            return summary
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(summary, column)
        if role == Qt.ItemDataRole.BackgroundRole and column in ("status", "portal"):
            colour = self._badge(summary, column)[1]
            return QBrush(QColor(colour)) if colour else None
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column in ("status", "portal")
            and self._badge(summary, column)[1]
        ):
            return QBrush(QColor("#ffffff"))
        if role == Qt.ItemDataRole.ToolTipRole and summary.attention_reason:
            return summary.attention_reason
        return None

    def _badge(self, summary: DossierSummary, column: str) -> tuple[str, str]:
        if column == "status":
            return local_badge(summary.status, self.tr)
        return portal_badge(summary.portal_status, self.tr)

    def _text(self, summary: DossierSummary, column: str) -> str:
        if column == "citizen":
            return f"{summary.applicant_name}\n{summary.applicant_id}"
        if column == "procedure":
            return f"{self._procedure_name(summary.procedure_code)}\n{summary.procedure_code}"
        if column in ("status", "portal"):
            text = self._badge(summary, column)[0]
            return f"{text}\n{summary.portal_code}" if column == "portal" and summary.portal_code else text
        return summary.updated_at.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M")


class QueueFilter(QSortFilterProxyModel):
    """Filter by local status and by accent-insensitive text."""

    def __init__(self) -> None:
        super().__init__()
        self._status: LocalStatus | None = None
        self._words: list[str] = []

    def set_status(self, status: LocalStatus | None) -> None:
        self._refilter(lambda: setattr(self, "_status", status))

    def set_text(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "_words", fold(text).split()))

    def _refilter(self, change) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.9+; invalidateFilter is deprecated there
            self.beginFilterChange()
            change()
            self.endFilterChange()
        else:
            change()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        model = self.sourceModel()
        assert isinstance(model, QueueModel)
        if self._status is not None and model.summary(source_row).status is not self._status:
            return False
        key = model.search_key(source_row)
        return all(word in key for word in self._words)
