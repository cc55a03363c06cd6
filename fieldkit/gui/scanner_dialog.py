"""Scanning a document with the webcam: the live outline over the preview, auto-capture when the page is
still and sharp (with a visible countdown), a capture button, and the page strip below — rotate, delete,
drag to reorder, retake, move corners. Photos taken with a phone can join the strip too, chosen or dropped on
the window (each page found and flattened as a captured one is). Done writes one PDF and files it in the
dossier's slot.

The camera and the page detector run on the camera thread; the page list is shared with it under a lock.
Rendering pages and writing the PDF run off the GUI thread too. If the camera fails mid-scan, the pages
already captured stay and can still be saved.
"""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QObject, QSize, Qt, Signal, Slot
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from fieldkit.camera.sources import IMAGE_SUFFIXES
from fieldkit.core.catalog import DocumentSlot
from fieldkit.gui.camera_feed import CameraFeed, Overlay, open_camera, to_qimage
from fieldkit.gui.camera_view import CameraView
from fieldkit.gui.context import AppContext
from fieldkit.gui.corner_editor import CornerEditor
from fieldkit.gui.cross_thread import QUEUED
from fieldkit.gui.widgets import big_button
from fieldkit.scanner.detect import PageDetector
from fieldkit.scanner.document import PhotoResult, make_pdf, pages_from_photos
from fieldkit.scanner.enhance import Mode
from fieldkit.scanner.pages import ScannedPage
from fieldkit.scanner.paper import paper_for
from fieldkit.scanner.session import CaptureSession
from fieldkit.storage.dossier_service import DossierService

THUMB = QSize(120, 160)
PAPER_CHOICES = ("auto", "a4", "a5", "letter", "id-card")


# No outline for this long in the live view: say what helps (a plainer, darker surface, or capture and set the
# corners by hand). Long enough that moving the page into view does not trigger it.
NO_PAGE_SECONDS = 4.0


class _Bridge(QObject):
    captured = Signal()  # a page joined the list (from the camera thread)
    page_seen = Signal(bool)  # the live view lost the page for a while (False), or found it again (True)
    # Live advice about the outline, by message key ("" when none is needed any more): part of the page is out
    # of the picture, or the outline is not the shape of the slot's paper.
    advice = Signal(str)


class ScannerDialog(QDialog):
    def __init__(
        self, ctx: AppContext, dossier_uuid: str, slot: DocumentSlot, parent=None, photos: list[str] | None = None
    ) -> None:
        """`photos`: pictures to start the strip with (a phone photo chosen as a document file)."""
        super().__init__(parent)
        self.ctx = ctx
        self.uuid = dossier_uuid
        self.slot = slot
        self.saved = False
        tr = ctx.tr
        self.setWindowTitle(tr("ui.scan.title", slot=slot.name.in_language(tr.lang)))
        self.lock = threading.Lock()
        paper = slot.paper if slot.paper in PAPER_CHOICES else "auto"
        # Colour for ID cards (their photo), grey for papers: readable and small; the worker may change it.
        mode = Mode.COLOR if paper == "id-card" else Mode.GRAY
        self.session = CaptureSession(paper=paper_for(paper), mode=mode)
        self._retake: int | None = None
        self._filling = False
        self._no_page_since: float | None = None  # the camera thread's: when the outline was last lost
        self._told_no_page = False
        self._told_advice = ""  # the camera thread's: the live advice the user was last given (a message key)
        self._live_text = ""  # the GUI thread's: that advice as shown

        self.view = CameraView(self)
        self.view.message = tr("ui.qr.starting")
        self.status = QLabel(tr("ui.scan.hint"), self)
        self.status.setWordWrap(True)
        self.mode = QComboBox(self)
        for value in Mode:
            self.mode.addItem(tr(f"ui.scan.mode.{value.value}"), value)
        self.mode.setCurrentIndex(self.mode.findData(mode))
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.paper = QComboBox(self)
        for code in PAPER_CHOICES:
            self.paper.addItem(tr(f"ui.scan.paper.{code}"), code)
        self.paper.setCurrentIndex(self.paper.findData(paper))
        self.paper.currentIndexChanged.connect(self._paper_changed)
        self.auto = QCheckBox(tr("ui.scan.auto"), self)
        self.auto.setChecked(True)
        self.auto.toggled.connect(self._auto_changed)
        self.capture_button = big_button(tr("ui.scan.capture"), self, primary=True)
        self.capture_button.setShortcut(Qt.Key.Key_Space)
        self.capture_button.clicked.connect(self.capture)
        self.photos_button = big_button(tr("ui.scan.photos"), self)
        self.photos_button.setToolTip(tr("ui.scan.photos_tip"))
        self.photos_button.clicked.connect(self.add_photos)

        self.strip = QListWidget(self)
        self.strip.setViewMode(QListWidget.ViewMode.IconMode)
        self.strip.setIconSize(THUMB)
        self.strip.setFlow(QListWidget.Flow.LeftToRight)
        self.strip.setWrapping(False)
        self.strip.setGridSize(QSize(THUMB.width() + 24, THUMB.height() + 36))
        self.strip.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.strip.setFixedHeight(THUMB.height() + 56)
        self.strip.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.strip.setMovement(QListWidget.Movement.Snap)
        self.strip.model().rowsMoved.connect(self._reordered)
        # A page's corners on a double-click, as a phone scanner opens them on a tap.
        self.strip.itemDoubleClicked.connect(lambda _item: self.adjust_selected())
        self.corner_editor: CornerEditor | None = None  # the one open, if any
        self.rotate_button = big_button(tr("ui.scan.rotate"), self)
        self.delete_button = big_button(tr("ui.scan.delete"), self)
        self.retake_button = big_button(tr("ui.scan.retake"), self)
        self.corners_button = big_button(tr("ui.scan.corners"), self)
        self.done_button = big_button(tr("ui.scan.done"), self, primary=True)
        cancel = big_button(tr("ui.qr.cancel_plain"), self)
        self.rotate_button.clicked.connect(self.rotate_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.retake_button.clicked.connect(self.retake_selected)
        self.corners_button.clicked.connect(self.adjust_selected)
        self.done_button.clicked.connect(self.finish)
        cancel.clicked.connect(self.reject)

        controls = QHBoxLayout()
        for widget in (
            QLabel(tr("ui.scan.mode"), self),
            self.mode,
            QLabel(tr("ui.scan.paper"), self),
            self.paper,
            self.auto,
        ):
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.photos_button)
        controls.addWidget(self.capture_button)
        page_tools = QHBoxLayout()
        for button in (self.rotate_button, self.delete_button, self.retake_button, self.corners_button):
            page_tools.addWidget(button)
        page_tools.addStretch(1)
        page_tools.addWidget(cancel)
        page_tools.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        layout.addLayout(controls)
        layout.addWidget(self.strip)
        layout.addLayout(page_tools)
        self.resize(1100, 720)

        self._bridge = _Bridge()
        self._bridge.captured.connect(self._page_captured, QUEUED)
        self._bridge.page_seen.connect(self._page_seen, QUEUED)
        self._bridge.advice.connect(self._live_advice, QUEUED)
        # With no webcam, the demo camera shows what the slot holds: the ID card for a card's slot.
        camera, demo = ctx.camera, "demo:id-card" if paper == "id-card" else "demo"
        self.feed = CameraFeed(lambda: open_camera(camera, demo, realtime=True), self._analyse)
        self.view.attach(self.feed)
        self.feed.failed.connect(self._camera_failed, QUEUED)
        self._update_buttons()
        self.setAcceptDrops(True)  # photos dragged from a file manager or a phone's folder
        if photos:
            self.read_photos(photos)

    # -- lifecycle ---------------------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.feed.start()

    def done(self, result: int) -> None:
        self.feed.stop()
        super().done(result)

    # -- the camera thread -------------------------------------------------------------------------------

    def _analyse(self, frame):
        with self.lock:
            before = len(self.session.pages)
            view = self.session.feed(frame)
            if view.captured is not None and self._retake is not None:
                self._replace_last_with_retake()
            added = len(self.session.pages) != before or view.captured is not None
        if view.captured is not None:
            view.captured.render()  # flatten it here, off the GUI thread: the thumbnail is then free
        if added:
            self._bridge.captured.emit()
        self._watch_for_page(view.frame.timestamp, view.quad is not None)
        advice = "ui.scan.runs_out" if view.runs_out else "ui.scan.off_shape" if view.off_shape else ""
        if advice != self._told_advice:
            self._told_advice = advice
            self._bridge.advice.emit(advice)
        overlays, text = [], ""
        if view.quad is not None:
            ready = view.steady >= 1.0 and view.sharp and not advice
            overlays.append(Overlay(view.quad, "#00c853" if ready else "#ffab00"))
            if self.session.settings.auto and 0 < view.steady < 1.0 and not advice:
                remaining = self.session.settings.steady_seconds * (1.0 - view.steady)
                text = f"{max(1, round(remaining * 3 / self.session.settings.steady_seconds))}"  # 3, 2, 1
        if view.captured is not None:
            text = "✔"
        return overlays, text

    def _watch_for_page(self, now: float, seen: bool) -> None:
        """Tell the GUI once when no outline has been seen for NO_PAGE_SECONDS, and once when one is again."""
        if seen:
            self._no_page_since = None
            if self._told_no_page:
                self._told_no_page = False
                self._bridge.page_seen.emit(True)
        elif self._no_page_since is None:
            self._no_page_since = now
        elif not self._told_no_page and now - self._no_page_since >= NO_PAGE_SECONDS:
            self._told_no_page = True
            self._bridge.page_seen.emit(False)

    def _replace_last_with_retake(self) -> None:
        """The page just captured takes the place of the one being retaken (called under the lock)."""
        pages = self.session.pages
        new = pages.remove(len(pages) - 1)
        pages.retake(self._retake, new)
        self._retake = None

    # -- the GUI thread ----------------------------------------------------------------------------------

    @Slot()
    def _page_captured(self) -> None:
        self._refresh_strip()

    @Slot(bool)
    def _page_seen(self, seen: bool) -> None:
        self._advise(self.ctx.tr("ui.scan.no_page"), not seen)

    @Slot(str)
    def _live_advice(self, key: str) -> None:
        """The camera thread's advice changed (`key`, or "" for none): the old one gives way, the new one shows."""
        if self._live_text:
            self._advise(self._live_text, False)
        self._live_text = ""
        if key:
            paper = self.session.paper
            self._live_text = self.ctx.tr(key, paper=self.ctx.tr(f"ui.scan.paper.{paper.code}") if paper else "")
            self._advise(self._live_text, True)

    def _advise(self, advice: str, needed: bool) -> None:
        """Show live advice while it is `needed`; when it no longer is, the page count comes back (another
        message shown meanwhile, photos read or a failure, is left standing)."""
        if needed:
            self.status.setText(advice)
        elif self.status.text() == advice:
            self._show_count()

    def capture(self) -> None:
        with self.lock:
            page = self.session.capture()
            if page is not None and self._retake is not None:
                self._replace_last_with_retake()
        if page is not None:
            QApplication.beep()
            self._refresh_strip()

    def add_photos(self) -> None:
        """Pictures from a phone or a folder: read and flattened off the GUI thread, then added to the strip;
        a file that cannot be read is named, and the others are kept."""
        tr = self.ctx.tr
        paths = self.ctx.dialogs.open_files(self, tr("ui.scan.photos"), str(Path.home()), tr("ui.scan.photos_filter"))
        if paths:
            self.read_photos(paths)

    def dragEnterEvent(self, event) -> None:
        if _dropped_photos(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        photos = _dropped_photos(event.mimeData())
        if photos and self.photos_button.isEnabled():  # not while the last ones are still being read
            event.acceptProposedAction()
            self.read_photos(photos)

    def read_photos(self, paths: list[str]) -> None:
        tr = self.ctx.tr
        with self.lock:
            paper, mode = self.session.paper, self.session.mode
        self.photos_button.setEnabled(False)
        self.status.setText(tr("ui.scan.photos_reading", count=len(paths)))
        detector = PageDetector()
        self.ctx.runner.background(lambda: pages_from_photos([Path(p) for p in paths], detector, paper, mode)).success(
            self._photos_read
        ).failure(self._photos_failed).run()

    def _photos_read(self, found: tuple[list[PhotoResult], list[BaseException]]) -> None:
        results, failures = found
        tr = self.ctx.tr
        with self.lock:
            for result in results:
                self.session.pages.add(result.page)
        self._refresh_strip()
        self.photos_button.setEnabled(True)
        notes = [tr("ui.scan.photos_added", count=len(results))] if results else []
        whole = sum(result.page.unsure for result in results)
        if whole:  # kept as taken: the user may want to move the corners onto the paper
            notes.append(tr("ui.scan.photos_whole", count=whole))
        if notes:
            self.status.setText(" ".join(notes))
        if failures:
            details = "\n".join(tr.describe(error) for error in failures)
            self.ctx.dialogs.info(self, tr("ui.scan.photos_failed", count=len(failures), details=details))

    def _photos_failed(self, error: BaseException) -> None:
        self.photos_button.setEnabled(True)
        self.status.setText(self.ctx.tr.describe(error))
        self.ctx.dialogs.error(self, error)

    def selected_index(self) -> int | None:
        row = self.strip.currentRow()
        return row if row >= 0 else None

    def rotate_selected(self) -> None:
        self._change(lambda pages, index: pages.rotate(index, 1))

    def delete_selected(self) -> None:
        self._change(lambda pages, index: pages.remove(index))

    def retake_selected(self) -> None:
        index = self.selected_index()
        if index is not None:
            self._retake = index
            self.status.setText(self.ctx.tr("ui.scan.retaking", number=index + 1))

    def adjust_selected(self) -> None:
        index = self.selected_index()
        if index is None:
            return
        with self.lock:
            page = self.session.pages[index]
        editor = CornerEditor(self.ctx.tr, page.photo, page.quad, self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.accepted.connect(lambda: self.set_corners(index, editor.quad()))
        editor.finished.connect(lambda _result: setattr(self, "corner_editor", None))
        self.corner_editor = editor
        editor.open()  # window-modal, without an event loop of its own

    def set_corners(self, index: int, quad: np.ndarray) -> None:
        self._change(lambda pages, i: pages.adjust(i, quad), index)

    def _change(self, operation, index: int | None = None) -> None:
        index = self.selected_index() if index is None else index
        if index is None:
            return
        with self.lock:
            operation(self.session.pages, index)
        self._refresh_strip(select=min(index, len(self.session.pages) - 1))

    def _reordered(self, _parent, start: int, _end: int, _destination, row: int) -> None:
        if self._filling:
            return
        to = row - 1 if row > start else row
        with self.lock:
            self.session.pages.move(start, to)
        self._refresh_strip(select=to)

    def _mode_changed(self) -> None:
        mode = self.mode.currentData()
        with self.lock:
            self.session.mode = mode
            self.session.pages.set_mode(mode)
        self._refresh_strip()

    def _paper_changed(self) -> None:
        with self.lock:
            self.session.paper = paper_for(self.paper.currentData())

    def _auto_changed(self, on: bool) -> None:
        with self.lock:
            self.session.settings.auto = on

    def _refresh_strip(self, select: int | None = None) -> None:
        """Thumbnails of the pages as they will be in the PDF (flattened, in the chosen mode)."""
        with self.lock:
            pages = list(self.session.pages)
        self._filling = True  # rows added here are not the user's reordering
        self.strip.clear()
        for number, page in enumerate(pages, start=1):
            doubt = _doubt(page)  # worth a look before the PDF is written
            label = self.ctx.tr("ui.scan.page_unsure" if doubt else "ui.scan.page", number=number)
            item = QListWidgetItem(QIcon(QPixmap.fromImage(_thumbnail(page))), label)
            if doubt:
                item.setToolTip(self.ctx.tr(doubt))
            self.strip.addItem(item)
        self._filling = False
        if pages:
            self.strip.setCurrentRow(len(pages) - 1 if select is None else max(0, select))
        self._show_count(len(pages))
        self._update_buttons()

    def _show_count(self, count: int | None = None) -> None:
        """The status line's usual text: how many pages, or how to start."""
        if count is None:
            with self.lock:
                count = len(self.session.pages)
        self.status.setText(self.ctx.tr("ui.scan.count", count=count) if count else self.ctx.tr("ui.scan.hint"))

    def _update_buttons(self) -> None:
        has_pages = self.strip.count() > 0
        for button in (
            self.rotate_button,
            self.delete_button,
            self.retake_button,
            self.corners_button,
            self.done_button,
        ):
            button.setEnabled(has_pages)

    def finish(self) -> None:
        """Write the PDF (off the GUI thread) and file it in the slot; a file near the size limit is said."""
        with self.lock:
            pages = self.session.pages
            snapshot = type(pages)(list(pages))
        uuid, slot, actor = self.uuid, self.slot.code, self.ctx.actor
        self.done_button.setEnabled(False)
        self.status.setText(self.ctx.tr("ui.scan.writing"))

        def limit(kit):
            return DossierService(kit, actor).max_file_bytes()

        def build(max_bytes):
            self.ctx.runner.background(lambda: make_pdf(snapshot, max_bytes)).success(store).failure(failed).run()

        def store(result) -> None:
            filename = f"{slot}-{len(snapshot)}p.pdf"
            self.ctx.runner.db(
                lambda kit: DossierService(kit, actor).attach_bytes(uuid, slot, result.data, filename, dpi=result.dpi)
            ).success(lambda _dossier: stored(result)).failure(failed).run()

        def stored(result) -> None:
            self.saved = True
            if result.near_limit:
                self.ctx.dialogs.info(self, self.ctx.tr("ui.scan.near_limit", size_mb=round(result.size / 2**20, 1)))
            self.accept()

        def failed(error: BaseException) -> None:
            self.done_button.setEnabled(True)
            self.status.setText(self.ctx.tr.describe(error))
            self.ctx.dialogs.error(self, error)

        self.ctx.runner.db(limit).success(build).failure(failed).run()

    @Slot(object)
    def _camera_failed(self, error: BaseException) -> None:
        """An unplugged webcam: said where the preview was; the pages already captured stay and can be saved,
        and photos can still be added (a help desk laptop may have no webcam at all)."""
        self.view.message = self.ctx.tr.describe(error)
        self.view.current = None
        self.view.update()
        self.status.setText(f"{self.ctx.tr.describe(error)} {self.ctx.tr('ui.scan.no_camera_photos')}")


def _dropped_photos(mime) -> list[str]:
    """The local picture files among what is being dragged (other files and web links are not taken)."""
    if not mime.hasUrls():
        return []
    paths = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]
    return [path for path in paths if Path(path).suffix.lower() in IMAGE_SUFFIXES]


def _doubt(page: ScannedPage) -> str | None:
    """What to tell about a page worth a look (a message key), or None."""
    if page.unsure:  # the photo's own corners
        return "ui.scan.page_unsure_tip"
    if page.runs_out:  # part of it was outside the picture
        return "ui.scan.page_runs_out_tip"
    if page.off_shape:  # not the shape of the slot's paper: maybe part of it only
        return "ui.scan.page_off_shape_tip"
    return None


def _thumbnail(page: ScannedPage):
    pixels = page.render().pixels
    if pixels.ndim == 2:
        pixels = cv2.cvtColor(pixels, cv2.COLOR_GRAY2BGR)
    scale = THUMB.height() / pixels.shape[0]
    small = cv2.resize(pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return to_qimage(small)
