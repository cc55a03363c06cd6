"""The supervisor's dashboard: a day's, a week's or a month's figures, with charts, and the same figures
exported as XLSX, CSV or PDF for the commune's leaders. No personal data unless a named list is asked for."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldkit.core.dates import local_date
from fieldkit.core.numbers import shown
from fieldkit.gui.charts import BarChart
from fieldkit.gui.context import AppContext
from fieldkit.gui.widgets import big_button
from fieldkit.reports.export import FORMATS, Table, tables
from fieldkit.reports.figures import day_period, month_period, week_period
from fieldkit.reports.service import export_figures, team_figures

PERIODS = {"day": day_period, "week": week_period, "month": month_period}


class DashboardPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        tr = ctx.tr
        self.period = QComboBox(self)
        for name in PERIODS:
            self.period.addItem(tr(f"ui.dashboard.period.{name}"), name)
        self.period.setMinimumHeight(36)
        self.period.currentIndexChanged.connect(lambda _: self.refresh())
        self.named = QCheckBox(tr("ui.dashboard.named"), self)
        self.export_buttons = {}
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("ui.dashboard.period"), self))
        top.addWidget(self.period)
        top.addStretch(1)
        top.addWidget(self.named)
        for fmt in FORMATS:
            button = big_button(tr("ui.dashboard.export", format=fmt.upper()), self)
            button.clicked.connect(lambda _=False, fmt=fmt: self.export(fmt))
            top.addWidget(button)
            self.export_buttons[fmt] = button
        self.summary = QGridLayout()
        self.charts = {name: BarChart("", self) for name in ("by_member", "by_procedure", "by_village", "by_status")}
        self.waiting = QTableWidget(self)
        self.waiting.setMinimumHeight(160)
        self.waiting.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.waiting.verticalHeader().hide()
        host = QWidget(self)
        body = QVBoxLayout(host)
        body.addLayout(self.summary)
        charts = QGridLayout()
        for index, chart in enumerate(self.charts.values()):
            charts.addWidget(chart, index // 2, index % 2)
        body.addLayout(charts)
        self.waiting_title = QLabel(self)
        body.addWidget(self.waiting_title)
        body.addWidget(self.waiting)
        body.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(host)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        self.tables: list[Table] = []
        # Choosing where to save is a dialog; tests replace it with a function returning a path.
        self.choose_path = self._ask_path

    def _load(self, named: bool = False):
        period = PERIODS[self.period.currentData()](local_date(self.ctx.clock.now()))
        tr, actor = self.ctx.tr, self.ctx.actor

        return lambda kit: team_figures(kit, actor, period, tr, named=named)

    def refresh(self) -> None:
        self.ctx.runner.db(self._load()).success(self._show).run()

    def _show(self, result) -> None:
        self.tables = tables(result, self.ctx.tr)
        by_name = {table.name: table for table in self.tables}
        while self.summary.count():
            self.summary.takeAt(0).widget().deleteLater()
        for row, (label, value) in enumerate(by_name["summary"].rows):
            self.summary.addWidget(QLabel(str(label), self), row // 2, (row % 2) * 2)
            number = QLabel(shown(value, self.ctx.tr.lang), self)
            number.setStyleSheet("font-size: 14pt; font-weight: bold;")
            self.summary.addWidget(number, row // 2, (row % 2) * 2 + 1)
        for name, chart in self.charts.items():
            chart.title = by_name[name].title
            chart.set_bars(list(by_name[name].chart))
        waiting = by_name["waiting"]
        self.waiting_title.setText(waiting.title)
        self.waiting.clear()
        self.waiting.setColumnCount(len(waiting.columns))
        self.waiting.setHorizontalHeaderLabels(list(waiting.columns))
        self.waiting.setRowCount(len(waiting.rows))
        for r, row in enumerate(waiting.rows):
            for c, value in enumerate(row):
                self.waiting.setItem(r, c, QTableWidgetItem(shown(value, self.ctx.tr.lang)))

    def export(self, fmt: str) -> None:
        path = self.choose_path(fmt)
        if not path:
            return
        tr, actor, compute = self.ctx.tr, self.ctx.actor, self._load(self.named.isChecked())

        def write(kit):
            return export_figures(kit, actor, compute(kit), tr, fmt, Path(path))

        self.ctx.runner.db(write).success(
            lambda written: self.ctx.dialogs.info(self, tr("ui.dashboard.exported", path=str(written)))
        ).run()

    def _ask_path(self, fmt: str) -> str:
        return self.ctx.dialogs.save_file(
            self, self.ctx.tr("ui.dashboard.export", format=fmt.upper()), f"bao-cao.{fmt}", f"{fmt.upper()} (*.{fmt})"
        )
