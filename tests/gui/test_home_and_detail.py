import io

import numpy as np
import pikepdf
from PIL import Image
from pypdf import PdfReader
from PySide6.QtWidgets import QListWidget

from fieldkit.core.dossier import Place, PlaceKind
from fieldkit.core.i18n import Translator
from fieldkit.core.workflow import LocalStatus
from fieldkit.gui.main_window import MainWindow
from fieldkit.gui.page_previews import show_first_page_icons
from fieldkit.gui.queue_model import QueueFilter, QueueModel
from fieldkit.qr import QrReader
from fieldkit.qr.receipt import parse_receipt
from fieldkit.storage.citizen_service import CitizenService
from fieldkit.storage.dossier_service import DossierService
from fieldkit.storage.security import unlock_kit
from fieldkit.storage.summaries import list_summaries
from tests.conftest import ADMIN, ADMIN_PASSWORD, an_citizen, give_consent, make_pdf
from tests.gui.conftest import opened, sign_in


def fill(ctx):
    with opened(ctx) as kit:
        CitizenService(kit, "an").save(an_citizen())
        service = DossierService(kit, "an")
        draft = service.create("1.004222", "001090012345", {}, Place(PlaceKind.HELP_DESK, "Thôn 3"))
        ready = service.create("1.004873", "001090012345", {"marital_status": "chua_ket_hon", "purpose": "Kết hôn"})
        service.attach_bytes(ready.uuid, "TOKHAI", make_pdf(1), "tk.pdf")
        give_consent(service, ready.uuid)
        service.queue(ready.uuid)
        ctx.clock.advance(minutes=5)
        attention = service.create("1.004194", "001090012345", {})
        moved, entry = kit.dossiers.get(attention.uuid).moved(LocalStatus.READY, "an", ctx.clock.now())
        kit.dossiers.save(moved, [entry])
        return draft.uuid, ready.uuid


def test_queue_model_sorts_filters_and_searches_without_widgets(ctx):
    fill(ctx)
    with opened(ctx) as kit:
        rows = list_summaries(kit.db)
    model = QueueModel(Translator("vi"), ctx.catalog)
    model.set_rows(rows)
    assert model.rowCount() == 3
    assert model.summary(0).status is LocalStatus.QUEUED  # what waits to go comes first
    proxy = QueueFilter()
    proxy.setSourceModel(model)
    proxy.set_text("tam tru")  # procedure name, without accents
    assert proxy.rowCount() == 1
    proxy.set_text("nguyen van an")
    assert proxy.rowCount() == 3
    proxy.set_text("")
    proxy.set_status(LocalStatus.DRAFT)
    assert proxy.rowCount() == 1
    assert "◷" in model.data(model.index(0, 2))  # a symbol as well as a colour


def test_home_counts_and_detail_actions(qtbot, ctx):
    _, queued = fill(ctx)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.start()
    sign_in(window)
    assert "Hôm nay: 3" in window.home.counts.text() and "Chờ gửi: 1" in window.home.counts.text()
    window.open_dossier(queued)
    detail = window.detail
    assert window.pages.currentWidget() is detail
    assert "Chờ gửi" in detail.status.text()
    assert detail.unqueue_button.isEnabled() and not detail.edit_button.isEnabled()
    assert detail.documents.count() == 1
    qtbot.waitUntil(lambda: not detail.documents.item(0).icon().isNull())  # its first page, small
    assert page_shaped(detail.documents.item(0).icon())
    assert any("chuyển sang" in detail.timeline.item(i).text() for i in range(detail.timeline.count()))
    detail.unqueue_button.click()
    assert "Đang soạn" in detail.status.text() and detail.edit_button.isEnabled()
    detail.edit_button.click()
    assert window.pages.currentWidget() is window.wizard and window.wizard.index == 2
    assert window.wizard.steps[2].editors["purpose"].text() == "Kết hôn"


def test_english_window(qtbot, make_ctx):
    ctx = make_ctx("en")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.start()
    sign_in(window)
    assert window.home.new_button.text().startswith("+ New dossier")
    assert "Today: 0" in window.home.counts.text()


def test_the_task_runner_works_off_the_gui_thread(qtbot, make_ctx):
    import threading

    ctx = make_ctx(synchronous=False)
    seen = {}
    ctx.runner.open_kit(lambda: unlock_kit(ctx.data_dir, ADMIN, ADMIN_PASSWORD)).success(
        lambda session: seen.setdefault("session", session)
    ).run()
    qtbot.waitUntil(lambda: "session" in seen, timeout=5000)
    del seen["session"]

    def work(kit):
        seen["thread"] = threading.current_thread().name
        return kit.citizens.count()

    ctx.runner.db(work).success(lambda count: seen.setdefault("count", count)).run()
    qtbot.waitUntil(lambda: "count" in seen, timeout=5000)
    assert seen == {"thread": "fieldkit-db", "count": 0}
    failures = []
    ctx.runner.background(lambda: 1 / 0).failure(failures.append).run()
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert isinstance(failures[0], ZeroDivisionError)


def test_the_receipt_pdf_carries_a_qr_code_that_finds_the_dossier(qtbot, ctx, tmp_path):
    _, queued = fill(ctx)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.start()
    sign_in(window)
    window.open_dossier(queued)
    window.detail.show_receipt()
    dialog = window.detail.receipt
    assert "Nguyễn Văn An" in dialog.document.toPlainText()
    path = dialog.save_pdf(str(tmp_path / "bien-nhan.pdf"))
    reader = PdfReader(path)
    [page] = reader.pages
    width_mm = float(page.mediabox.width) / 72 * 25.4
    assert 145 < width_mm < 151  # A5
    images = [np.array(Image.open(io.BytesIO(image.data)).convert("L")) for image in page.images]
    texts = [code.text for image in images for code in QrReader.create().read(image, exhaustive=True)]
    refs = [parse_receipt(text) for text in texts]
    assert any(ref and ref.dossier_uuid == queued for ref in refs)
    with opened(ctx) as kit:
        assert "receipt_saved" in [e.action for e in kit.dossiers.audit.for_dossier(queued)]
    dialog.accept()


def test_every_action_on_a_dossiers_timeline_is_in_words():
    """The timeline shows each audit entry of a dossier: every action the code writes against a dossier (an
    AuditEntry given a dossier's UUID, or a receipt's record) has its words in both languages."""
    import ast
    from pathlib import Path

    import fieldkit
    from fieldkit.gui.detail import TIMELINE_ACTIONS

    written = set()
    for path in Path(fieldkit.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            about_a_dossier = len(node.args) >= 4 or any(k.arg == "dossier_uuid" for k in node.keywords)
            if name == "AuditEntry" and about_a_dossier and isinstance(node.args[2], ast.Constant):
                written.add(node.args[2].value)
            if name == "_record" and node.args and isinstance(node.args[0], ast.Constant):
                written.add(node.args[0].value)
    assert {"created", "consent_recorded", "viewed", "receipt_saved"} <= written  # the scan finds them
    assert written <= set(TIMELINE_ACTIONS)
    for lang in ("vi", "en"):
        tr = Translator(lang)
        assert all(tr(f"ui.timeline.{action}") != f"ui.timeline.{action}" for action in TIMELINE_ACTIONS)


def page_shaped(icon) -> bool:
    """A page's picture (taller than wide), not a square file icon."""
    size = icon.availableSizes()[0]
    return size.height() > size.width()


def test_a_typed_pdf_shows_the_document_icon_not_an_empty_square(qtbot, window):
    typed = pikepdf.new()
    typed.add_blank_page()
    typed_pdf = io.BytesIO()
    typed.save(typed_pdf)
    documents = QListWidget()
    qtbot.addWidget(documents)
    documents.addItems(["tờ khai đánh máy", "bản quét"])
    files = [(typed_pdf.getvalue(), "application/pdf"), (make_pdf(1), "application/pdf")]
    show_first_page_icons(window.ctx.runner, documents, lambda kit: files)
    qtbot.waitUntil(lambda: not documents.item(1).icon().isNull())
    assert not documents.item(0).icon().isNull() and not page_shaped(documents.item(0).icon())
    assert page_shaped(documents.item(1).icon())


def test_a_draft_is_thrown_away_from_its_detail_once_confirmed(window, ctx):
    draft, queued = fill(ctx)
    window.open_dossier(queued)
    assert not window.detail.discard_button.isVisibleTo(window)  # queued: it may be on its way
    window.open_dossier(draft)
    detail = window.detail
    assert detail.discard_button.isVisibleTo(window)
    ctx.dialogs.answer = False  # "no": nothing happens
    detail.discard_button.click()
    assert window.pages.currentWidget() is detail
    ctx.dialogs.answer = True
    detail.discard_button.click()
    assert window.pages.currentWidget() is window.home
    with opened(ctx) as kit:
        assert draft not in {d.uuid for d in kit.dossiers.list()} and queued in {d.uuid for d in kit.dossiers.list()}
