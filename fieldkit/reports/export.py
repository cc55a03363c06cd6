"""The figures exported: CSV (one row per figure, for machines), XLSX (one sheet per view), PDF (printable
on A4, a bar chart beside each view). All three are drawn from the same tables (`tables`)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit.core.dates import format_date, local_date
from fieldkit.core.errors import UserError
from fieldkit.core.i18n import Translator
from fieldkit.core.numbers import shown
from fieldkit.reports.figures import Figures, Group
from fieldkit.storage.vault import atomic_write

FORMATS = ("csv", "xlsx", "pdf")


@dataclass(frozen=True)
class Table:
    name: str  # stable: the CSV's `view` column, the XLSX sheet
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    chart: tuple[tuple[str, float], ...] = ()  # (label, value) bars, for the PDF


def tables(figures: Figures, tr: Translator) -> list[Table]:
    percent = lambda share: round(100 * share, 1)  # noqa: E731
    summary = Table(
        "summary",
        tr("report.view.summary"),
        (tr("report.col.measure"), tr("report.col.value")),
        (
            (tr("report.measure.period"), f"{format_date(figures.period.start)} – {format_date(figures.period.end)}"),
            (tr("report.measure.dossiers"), figures.dossiers),
            (tr("report.measure.at_portal"), figures.at_portal),
            (tr("report.measure.share_online"), percent(figures.share_online)),
            (tr("report.measure.median_to_portal"), _blank(figures.median_hours_to_portal)),
            (tr("report.measure.median_to_accepted"), _blank(figures.median_hours_to_accepted)),
            (tr("report.measure.waiting"), len(figures.waiting)),
        ),
    )
    group_columns = (
        tr("report.col.group"),
        tr("report.col.dossiers"),
        tr("report.col.at_portal"),
        tr("report.col.waiting"),
        tr("report.col.returned"),
        tr("report.col.share_online"),
    )

    def grouped(name: str, groups: tuple[Group, ...]) -> Table:
        return Table(
            name,
            tr(f"report.view.{name}"),
            group_columns,
            tuple((g.label, g.dossiers, g.at_portal, g.waiting, g.returned, percent(g.share_online)) for g in groups),
            tuple((g.label, g.dossiers) for g in groups),
        )

    result = [
        summary,
        grouped("by_member", figures.by_member),
        grouped("by_procedure", figures.by_procedure),
        grouped("by_village", figures.by_village),
        Table(
            "by_status",
            tr("report.view.by_status"),
            (tr("report.col.status"), tr("report.col.dossiers")),
            tuple((s.label, s.dossiers) for s in figures.by_status),
            tuple((s.label, s.dossiers) for s in figures.by_status),
        ),
        Table(
            "waiting",
            tr("report.view.waiting"),
            (
                tr("report.col.dossier"),
                tr("report.col.member"),
                tr("report.col.procedure"),
                tr("report.col.reason"),
                tr("report.col.since"),
                *((tr("report.col.note"),) if figures.named is not None else ()),
            ),
            tuple(
                (
                    w.uuid[:8],
                    w.team_member,
                    w.procedure,
                    w.reason_label,
                    format_date(local_date(w.since)),
                    *((w.note,) if figures.named is not None else ()),
                )
                for w in figures.waiting
            ),
        ),
    ]
    if figures.named is not None:
        result.append(
            Table(
                "named",
                tr("report.view.named"),
                (
                    tr("report.col.dossier"),
                    "MaHoSo",
                    tr("report.col.citizen"),
                    tr("report.col.id_number"),
                    tr("report.col.procedure"),
                    tr("report.col.member"),
                    tr("report.col.village"),
                    tr("report.col.status"),
                ),
                tuple(
                    (n.uuid[:8], n.ma_ho_so, n.citizen, n.id_number, n.procedure, n.team_member, n.village, n.stage)
                    for n in figures.named
                ),
            )
        )
    return result


def _blank(value: float | None) -> Any:
    return "" if value is None else value


def write_report(figures: Figures, tr: Translator, fmt: str, path: Path, font_dirs: list[Path] | None = None) -> Path:
    writers: dict[str, Callable[[list[Table], Translator, list[Path]], bytes]] = {
        "csv": _csv,
        "xlsx": _xlsx,
        "pdf": _pdf,
    }
    if fmt not in writers:
        raise UserError("error.report.format", fmt=fmt, known=", ".join(FORMATS))
    data = writers[fmt](tables(figures, tr), tr, font_dirs or [])
    atomic_write(Path(path), data, Path(path).parent)
    return Path(path)


def _csv(views: list[Table], tr: Translator, font_dirs: list[Path]) -> bytes:
    """Long form: view, row number, column, value: one figure per line, whatever the view's columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("view", "row", "column", "value"))
    for view in views:
        for number, row in enumerate(view.rows, start=1):
            for column, value in zip(view.columns, row, strict=True):
                writer.writerow((view.name, number, column, value))
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM lets Excel read the Vietnamese right


def _xlsx(views: list[Table], tr: Translator, font_dirs: list[Path]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for view in views:
        sheet = book.create_sheet(view.name[:31])
        sheet.append([view.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(list(view.columns))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in view.rows:
            sheet.append(list(row))
        for index, column in enumerate(view.columns, start=1):
            width = max([len(str(column)), *(len(str(row[index - 1])) for row in view.rows)], default=10)
            sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = min(60, width + 2)
        sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# Fonts with Vietnamese letters, where the common systems keep them; `<data dir>/fonts` is searched first.
FONT_CANDIDATES = (
    "DejaVuSans.ttf",
    "NotoSans-Regular.ttf",
    "arial.ttf",
    "Arial.ttf",
    "LiberationSans-Regular.ttf",
)
FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/truetype/liberation",
    "/usr/share/fonts/TTF",
    "C:/Windows/Fonts",
    "/Library/Fonts",
    "/System/Library/Fonts/Supplemental",
)


def find_font(extra_dirs: list[Path]) -> Path:
    folders = [*extra_dirs, *(Path(p) for p in FONT_DIRS)]
    if os.environ.get("WINDIR"):
        folders.append(Path(os.environ["WINDIR"]) / "Fonts")
    for folder in folders:
        for name in FONT_CANDIDATES:
            if (folder / name).is_file():
                return folder / name
    raise UserError("error.report.no_font", folder=str(extra_dirs[0]) if extra_dirs else "fonts")


def _pdf(views: list[Table], tr: Translator, font_dirs: list[Path]) -> bytes:
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    font = "FieldKitSans"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(font, str(find_font(font_dirs))))
    title_style = ParagraphStyle("title", fontName=font, fontSize=16, leading=20, spaceAfter=6)
    heading = ParagraphStyle("heading", fontName=font, fontSize=12, leading=15, spaceBefore=8, spaceAfter=4)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    width = A4[0] - 30 * mm
    story: list[Any] = [Paragraph(tr("report.title"), title_style)]
    for view in views:
        block: list[Any] = [Paragraph(view.title, heading)]
        if view.chart:
            block.append(_bar_chart(view.chart[:12], font, width, HorizontalBarChart, Drawing, colors))
        data = [[Paragraph(str(c), cell) for c in view.columns]]
        data += [[Paragraph(_escape(shown(v, tr.lang)), cell) for v in row] for row in view.rows] or [
            [Paragraph(tr("report.none"), cell)] + [""] * (len(view.columns) - 1)
        ]
        table = PdfTable(data, colWidths=[width / len(view.columns)] * len(view.columns), repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        block.append(table)
        story += [KeepTogether(block[:2]) if len(block) > 2 else block[0], block[-1], Spacer(1, 4 * mm)]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=tr("report.title"),
        author="FieldKit",
    )
    document.build(story)
    return buffer.getvalue()


def _bar_chart(bars, font, width, chart_class, drawing_class, colors):
    height = 14 * len(bars) + 20
    drawing = drawing_class(width, height)
    chart = chart_class()
    chart.x, chart.y = width * 0.35, 10
    chart.width, chart.height = width * 0.6, height - 20
    chart.data = [[value for _, value in bars]]
    chart.categoryAxis.categoryNames = [label[:40] for label, _ in bars]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.reverseDirection = True
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#3c78b4")
    drawing.add(chart)
    return drawing


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
