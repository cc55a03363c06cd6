"""Small pictures of documents' pages: a strip of a slot's first pages, and a first-page icon for each document
in a list. Files are read (and decrypted) on the database thread; the pictures are made on a worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QStyle, QWidget

from fieldkit.gui.camera_feed import to_qimage
from fieldkit.scanner.previews import page_previews
from fieldkit.storage.kit import Kit

File = tuple[bytes, str]  # a document's bytes and media type

ICON = QSize(42, 60)  # an A4 page's shape, small enough for a list row


def first_pages(files: list[File], most: int) -> list[QImage]:
    """The pages in order, across the files, up to `most`."""
    images: list[QImage] = []
    for data, media_type in files:
        room = most - len(images)
        if room <= 0:
            break
        images += [to_qimage(page) for page in page_previews(data, media_type, limit=room)]
    return images


def show_first_page_icons(runner, documents: QListWidget, read: Callable[[Kit], list[File]]) -> None:
    """Give each row of `documents` (one per file, in order) its first page as an icon, once it is made; a list
    refilled meanwhile is left alone."""
    documents.setIconSize(ICON)
    generation = documents.property("preview_generation") or 0
    documents.setProperty("preview_generation", generation + 1)

    def pictures(files: list[File]) -> list[QImage | None]:
        return [next(iter(first_pages([file], 1)), None) for file in files]

    def draw(images: list[QImage | None]) -> None:
        if documents.property("preview_generation") != generation + 1:
            return
        # A PDF typed on a computer has no page picture: the system's document icon, not an empty square.
        typed = documents.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        for row, image in enumerate(images[: documents.count()]):
            documents.item(row).setIcon(QIcon(QPixmap.fromImage(image)) if image is not None else typed)

    read_then_draw(runner, read, pictures, draw)


def read_then_draw(runner, read: Callable[[Kit], Any], make: Callable[[Any], Any], draw: Callable[[Any], None]):
    """Files read (and decrypted) on the database thread, pictures made of them on a worker, drawn on the GUI
    thread: neither the database thread nor the window waits on image decoding."""
    runner.db(read).success(lambda files: runner.background(lambda: make(files)).success(draw).run()).run()


class PageStrip(QWidget):
    """A row of a slot's first pages, small."""

    MOST = 6

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 2, 0, 2)
        self.row.addStretch(1)
        self.setVisible(False)

    def show_pages(self, images: list[QImage]) -> None:
        while self.row.count() > 1:  # the stretch stays last
            item = self.row.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for index, image in enumerate(images):
            picture = QLabel(self)
            picture.setPixmap(QPixmap.fromImage(image))
            picture.setStyleSheet("border: 1px solid #8a8a8a;")
            self.row.insertWidget(index, picture)
        self.setVisible(bool(images))

    def page_count(self) -> int:
        return self.row.count() - 1
