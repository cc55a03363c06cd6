"""Home: the queue of dossiers on this laptop, what needs attention first, counts, search and filter."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fieldkit.core.dates import local_date
from fieldkit.core.workflow import LocalStatus
from fieldkit.gui.context import AppContext
from fieldkit.gui.queue_model import QueueFilter, QueueModel, SummaryRole
from fieldkit.gui.widgets import big_button
from fieldkit.storage.summaries import DossierSummary, count_summaries, list_summaries


class HomePage(QWidget):
    new_dossier_requested = Signal()
    dossier_opened = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        tr = ctx.tr
        self.model = QueueModel(tr, ctx.catalog)
        self.proxy = QueueFilter()
        self.proxy.setSourceModel(self.model)

        self.counts = QLabel(self)
        self.counts.setStyleSheet("font-size: 13pt;")
        self.connectivity = QLabel(self)
        self.new_button = big_button(tr("ui.home.new"), self, primary=True)
        self.new_button.clicked.connect(self.new_dossier_requested)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_dossier_requested.emit)

        self.status_filter = QComboBox(self)
        self.status_filter.setMinimumHeight(36)
        self.status_filter.addItem(tr("ui.home.all"), None)
        for status in LocalStatus:
            self.status_filter.addItem(tr.msg(status.label), status)
        self.status_filter.currentIndexChanged.connect(
            lambda _: self.proxy.set_status(self.status_filter.currentData())
        )
        self.search = QLineEdit(self)
        self.search.setMinimumHeight(36)
        self.search.setPlaceholderText(tr("ui.home.search"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.set_text)
        self.search.setAccessibleName(tr("ui.home.search"))

        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.activated.connect(self._open)  # Enter or double-click
        self.empty = QLabel(tr("ui.home.empty"), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        top = QHBoxLayout()
        top.addWidget(self.counts, 1)
        top.addWidget(self.connectivity)
        top.addWidget(self.new_button)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(tr("ui.home.filter"), self))
        filters.addWidget(self.status_filter)
        filters.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        self._show([])

    def refresh(self) -> None:
        self.ctx.runner.db(lambda kit: list_summaries(kit.db)).success(self._show).run()

    def _show(self, rows: list[DossierSummary]) -> None:
        self.model.set_rows(rows)
        counts = count_summaries(rows, local_date(self.ctx.clock.now()))
        self.counts.setText(
            self.ctx.tr("ui.home.counts", today=counts.today, waiting=counts.waiting, attention=counts.attention)
        )
        self.empty.setVisible(not rows)
        self.table.setVisible(bool(rows))

    def _open(self, index) -> None:
        summary = self.proxy.data(index, SummaryRole)
        if summary is not None:
            self.dossier_opened.emit(summary.uuid)
