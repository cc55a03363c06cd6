"""Home: the queue of dossiers on this laptop, what needs attention first, counts, search and filter."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fieldkit.core.dates import local_date
from fieldkit.core.workflow import LocalStatus
from fieldkit.gui.context import AppContext
from fieldkit.gui.cross_thread import QUEUED
from fieldkit.gui.queue_model import QueueFilter, QueueModel, SummaryRole
from fieldkit.gui.sync_controller import SyncController
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
        self.send_button = big_button(tr("ui.sync.send_now"), self)
        self.send_button.setEnabled(False)
        self.progress = QProgressBar(self)
        self.progress.setMinimumHeight(28)
        self.progress.hide()
        self.sync_note = QLabel(self)
        self.sync_note.setWordWrap(True)
        self.sync_note.hide()
        self.clock_note = QLabel(self)  # a laptop whose clock is off: dossiers would carry a wrong time
        self.clock_note.setWordWrap(True)
        self.clock_note.setStyleSheet("color: #8a4b00; font-weight: bold;")
        self.clock_note.hide()
        self._progress_timer = QTimer(self, interval=250)
        self._progress_timer.timeout.connect(self._show_progress)
        self.sync: SyncController | None = None
        self._shown_done = 0
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
        top.addWidget(self.send_button)
        top.addWidget(self.new_button)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(tr("ui.home.filter"), self))
        filters.addWidget(self.status_filter)
        filters.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.sync_note)
        layout.addWidget(self.clock_note)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        self._show([])

    # -- sending --------------------------------------------------------------------------------------------

    def attach_sync(self, sync: SyncController) -> None:
        self.sync = sync
        self.send_button.clicked.connect(self._send_now)
        sync.connectivity_changed.connect(self._show_connectivity, QUEUED)  # sent from the sync thread
        sync.sending_changed.connect(self._show_sending, QUEUED)
        sync.report_ready.connect(self._show_report, QUEUED)
        sync.clock_off.connect(self._show_clock_off, QUEUED)
        self._show_connectivity(sync.connectivity)

    def _send_now(self) -> None:
        self.sync_note.hide()
        self.sync.send_now()

    @Slot(str)
    def _show_connectivity(self, state: str) -> None:
        """A light with words: colour alone is not enough to tell online from offline."""
        colour = {"checking": "#4d4d4d", "online": "#1b6e3a", "offline": "#4d4d4d", "no_portal": "#8a4b00"}[state]
        self.connectivity.setText(f"● {self.ctx.tr(f'ui.sync.state.{state}')}")
        self.connectivity.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.send_button.setEnabled(state == "online")

    @Slot(object)
    def _show_clock_off(self, minutes: int | None) -> None:
        if minutes is not None:
            self.clock_note.setText("⚠ " + self.ctx.tr("cli.sync.clock_skew", minutes=minutes))
        self.clock_note.setVisible(minutes is not None)

    @Slot(bool)
    def _show_sending(self, sending: bool) -> None:
        self.progress.setVisible(sending)
        self.send_button.setEnabled(not sending and self.sync is not None and self.sync.connectivity == "online")
        if sending:
            self._shown_done = 0
            self.progress.setValue(0)
            self._progress_timer.start()
        else:
            self._progress_timer.stop()
        self.refresh()

    def _show_progress(self) -> None:
        progress = self.sync.progress if self.sync else None
        if progress is None:
            return
        self.progress.setMaximum(max(1, progress.bytes_total))
        self.progress.setValue(min(progress.bytes_done, progress.bytes_total))
        self.progress.setFormat(
            self.ctx.tr("ui.sync.progress", done=progress.dossiers_done, total=progress.dossiers_total)
        )
        if progress.dossiers_done != self._shown_done:  # the queue updates as each dossier lands
            self._shown_done = progress.dossiers_done
            self.refresh()

    @Slot(object)
    def _show_report(self, report) -> None:
        tr = self.ctx.tr
        lines = [
            tr("ui.sync.report", sent=len(report.sent), attention=len(report.set_aside), remaining=report.remaining)
        ]
        lines += [f"⚠ {item.reason}" for item in report.set_aside]
        if report.stopped is not None:
            lines.append(tr.describe(report.stopped))
        self.sync_note.setText("\n".join(lines))
        self.sync_note.setVisible(bool(report.sent or report.set_aside or report.stopped or report.statuses))
        self.refresh()

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
