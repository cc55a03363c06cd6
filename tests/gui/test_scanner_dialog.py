"""The scanner dialog with the demo camera: auto-capture, page operations, and a real PDF in the vault."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from fieldkit.camera import Frame
from fieldkit.camera.paperwork import form_page
from fieldkit.camera.scenes import Conditions, apply_conditions, place_page, plain, render_scene
from fieldkit.gui.scanner_dialog import NO_PAGE_SECONDS, ScannerDialog
from tests.gui.conftest import opened, wizard_at
from tests.unit.test_scan_nasty import a4_at


def test_scan_two_pages_edit_them_and_file_the_pdf(qtbot, window, ctx):
    wizard = wizard_at(window, qtbot, 3)
    documents = wizard.steps[3]
    procedure = ctx.catalog.get("1.004873")
    dialog = ScannerDialog(ctx, wizard.draft.dossier_uuid, procedure.slot("TOKHAI"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.strip.count() >= 1, timeout=30_000)  # auto-capture when the page holds still
    assert dialog.view.current is not None and dialog.view.current.overlays  # the outline was drawn
    dialog.capture()  # and by hand
    assert dialog.strip.count() >= 2
    count = dialog.strip.count()
    first = dialog.strip.item(0)  # the thumbnail is really laid out in the strip, not only listed
    assert not first.icon().isNull() and not dialog.strip.visualItemRect(first).isEmpty()

    dialog.strip.setCurrentRow(0)
    dialog.rotate_selected()
    assert dialog.session.pages[0].turns == 1
    dialog.strip.setCurrentRow(count - 1)
    dialog.delete_selected()
    assert dialog.strip.count() == count - 1
    page = dialog.session.pages[0]
    inset = page.quad + np.array([[4, 4], [-4, 4], [-4, -4], [4, -4]], np.float32)
    dialog.set_corners(0, inset)
    assert np.allclose(dialog.session.pages[0].quad, inset, atol=1)
    dialog.mode.setCurrentIndex(dialog.mode.findData("bw"))
    assert all(p.mode.value == "bw" for p in dialog.session.pages)

    dialog.finish()
    qtbot.waitUntil(lambda: dialog.saved, timeout=30_000)
    documents.refresh()
    assert "✔" in documents.state_labels["TOKHAI"].text()
    with opened(ctx) as kit:
        [doc] = kit.dossiers.get(wizard.draft.dossier_uuid).documents
        reader = PdfReader(io.BytesIO(kit.vault.get(doc.sha256)))
    assert len(reader.pages) == count - 1 == doc.pages
    assert doc.dpi and 40 <= doc.dpi <= 400  # what was captured, not a pretended 300
    for page in reader.pages:  # black-and-white pages travel as CCITT G4, the smallest honest form
        [xobject] = page["/Resources"]["/XObject"].values()
        assert "/CCITTFaxDecode" in str(xobject.get_object()["/Filter"])


def test_the_id_cards_slot_with_the_demo_camera_shows_the_card_and_takes_it_whole(qtbot, window, ctx):
    wizard = wizard_at(window, qtbot, 3)
    ctx.camera = "demo"
    dialog = ScannerDialog(ctx, wizard.draft.dossier_uuid, ctx.catalog.get("2.000488").slot("CANCUOC"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.strip.count() >= 1, timeout=30_000)  # auto-capture, no longer wait
    page = dialog.session.pages[0]
    assert page.paper.code == "id-card" and not page.off_shape
    assert "⚠" not in dialog.strip.item(0).text()
    rendered = page.render()
    assert rendered.pixels.shape[1] / rendered.pixels.shape[0] == pytest.approx(85.6 / 54, rel=0.03)


def test_an_unplugged_camera_keeps_the_pages_already_taken(qtbot, window, ctx):
    wizard = wizard_at(window, qtbot, 3)
    procedure = ctx.catalog.get("1.004873")
    ctx.camera = "demo"
    dialog = ScannerDialog(ctx, wizard.draft.dossier_uuid, procedure.slot("TOKHAI"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.view.current is not None, timeout=10_000)
    dialog.capture()
    dialog._camera_failed(RuntimeError("unplugged"))  # as the feed reports a camera that went away
    assert dialog.strip.count() == 1 and dialog.done_button.isEnabled()
    assert ctx.tr("ui.scan.photos") in dialog.status.text()  # and where to turn instead
    assert dialog.photos_button.isEnabled()
    dialog.finish()
    qtbot.waitUntil(lambda: dialog.saved, timeout=30_000)


def test_the_whole_wizard_with_the_demo_camera_and_an_id_card_qr(qtbot, window, ctx):
    """Issue 7's proof: procedure, citizen from the ID card's QR code, declaration, a scanned document,
    consent; the dossier lands queued with its PDF in the vault."""
    window.new_dossier()
    wizard = window.wizard
    wizard.steps[0].search.setText("hon nhan")
    wizard.steps[0].results.setCurrentRow(0)
    wizard.next_button.click()

    citizen = wizard.steps[1]
    citizen.scan()
    qtbot.waitUntil(lambda: citizen.inputs["full_name"].text() == "Nguyễn Văn Mẫu", timeout=30_000)
    assert wizard.next_button.isEnabled()
    wizard.next_button.click()

    declaration = wizard.steps[2]
    marital = declaration.editors["marital_status"].widget
    marital.setCurrentIndex(marital.findData("chua_ket_hon"))
    declaration.editors["purpose"].widget.setText("Để đăng ký kết hôn")
    wizard.next_button.click()

    documents = wizard.steps[3]
    documents.scan_buttons["TOKHAI"].click()
    scanner = documents.scanner
    qtbot.waitUntil(lambda: scanner.strip.count() >= 1, timeout=30_000)
    scanner.finish()
    qtbot.waitUntil(lambda: scanner.saved, timeout=30_000)
    qtbot.waitUntil(lambda: "✔" in documents.state_labels["TOKHAI"].text(), timeout=5_000)
    wizard.next_button.click()

    review = wizard.steps[4]
    assert review.problems == []
    review.consent.setChecked(True)
    wizard.queue_button.click()
    assert ctx.dialogs.errors == []
    with opened(ctx) as kit:
        [dossier] = kit.dossiers.list()
        assert dossier.status.value == "queued" and dossier.applicant_id == "001090000123"
        assert PdfReader(io.BytesIO(kit.vault.get(dossier.documents[0].sha256))).pages


def test_phone_photos_join_the_strip_flattened_and_a_bad_one_is_named(qtbot, window, ctx, tmp_path):
    """A help desk without a webcam, or papers photographed at home with a phone: the photos become pages
    (found, flattened to the paper's shape), a big photo is brought down to a size a laptop can hold, a
    photo with no page found is kept whole, and a broken file is named while the others stay."""
    import cv2

    from fieldkit.scanner.document import MAX_PHOTO_SIDE

    rng = np.random.default_rng(5)
    scene = render_scene(form_page(rng).image, (4032, 3024), "wood", rng, Conditions(noise=2.0), fill=(0.8, 0.9))
    cv2.imwrite(str(tmp_path / "IMG_0001.jpg"), scene.image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    cv2.imwrite(str(tmp_path / "table.png"), np.full((480, 640, 3), (40, 80, 120), np.uint8))
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")

    wizard = wizard_at(window, qtbot, 3)
    procedure = ctx.catalog.get("1.004873")
    ctx.camera = "camera:97"  # no webcam here: the photos still work
    dialog = ScannerDialog(ctx, wizard.draft.dossier_uuid, procedure.slot("TOKHAI"))
    qtbot.addWidget(dialog)
    dialog.show()
    ctx.dialogs.files_answer = [str(tmp_path / name) for name in ("IMG_0001.jpg", "broken.jpg", "table.png")]
    dialog.add_photos()
    qtbot.waitUntil(lambda: dialog.photos_button.isEnabled(), timeout=30_000)

    assert dialog.strip.count() == 2
    assert "broken.jpg" in ctx.dialogs.shown[-1]  # named, with the others kept
    assert ctx.tr("ui.scan.photos_added", count=2) in dialog.status.text()
    assert ctx.tr("ui.scan.photos_whole", count=1) in dialog.status.text()
    found, whole = dialog.session.pages[0], dialog.session.pages[1]
    assert max(found.photo.shape[:2]) == MAX_PHOTO_SIDE
    truth = scene.truth * (MAX_PHOTO_SIDE / 4032)
    assert np.max(np.abs(found.quad - truth)) < 0.01 * MAX_PHOTO_SIDE  # the page's corners, not the photo's
    assert found.render().paper == "a4"
    assert whole.unsure and whole.photo.shape[:2] == (480, 640)
    assert "⚠" in dialog.strip.item(1).text() and "⚠" not in dialog.strip.item(0).text()  # flagged in the strip
    dialog.set_corners(1, whole.quad + np.array([[20, 20], [-20, 20], [-20, -20], [20, -20]], np.float32))
    assert not dialog.session.pages[1].unsure and "⚠" not in dialog.strip.item(1).text()  # set by hand

    dialog.finish()
    qtbot.waitUntil(lambda: dialog.saved, timeout=30_000)
    with opened(ctx) as kit:
        [doc] = kit.dossiers.get(wizard.draft.dossier_uuid).documents
        reader = PdfReader(io.BytesIO(kit.vault.get(doc.sha256)))
    assert len(reader.pages) == 2 == doc.pages
    width_mm = float(reader.pages[0].mediabox.width) / 72 * 25.4
    assert abs(width_mm - 210) < 2  # A4, as the page lies


def test_a_photo_chosen_as_a_file_is_straightened_when_the_worker_says_so(qtbot, window, ctx, tmp_path):
    """'Chọn tệp…' with a phone photo asks: straightened into a PDF through the scanner (yes), or attached as
    the picture it is (no: a portrait, say)."""
    import cv2

    rng = np.random.default_rng(8)
    scene = render_scene(form_page(rng).image, (1600, 1200), "wood", rng, Conditions(noise=2.0), fill=(0.8, 0.9))
    photo = tmp_path / "IMG_0002.jpg"
    cv2.imwrite(str(photo), scene.image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    wizard = wizard_at(window, qtbot, 3)
    documents = wizard.steps[3]
    ctx.camera = "camera:97"

    ctx.dialogs.file_answer, ctx.dialogs.answer = str(photo), False
    documents.import_buttons["TOKHAI"].click()
    assert "IMG_0002.jpg" in ctx.dialogs.shown[-1]  # the question names the file
    with opened(ctx) as kit:
        [kept] = kit.dossiers.get(wizard.draft.dossier_uuid).documents
    assert kept.media_type == "image/jpeg" and not hasattr(documents, "scanner")

    ctx.dialogs.answer = True
    documents.import_buttons["TOKHAI"].click()
    scanner = documents.scanner
    qtbot.addWidget(scanner)
    qtbot.waitUntil(lambda: scanner.strip.count() == 1, timeout=30_000)
    assert scanner.session.pages[0].confidence > 0.5  # the page was found in the photo
    scanner.finish()
    qtbot.waitUntil(lambda: scanner.saved, timeout=30_000)
    with opened(ctx) as kit:
        documents_now = kit.dossiers.get(wizard.draft.dossier_uuid).documents
        assert [d.media_type for d in documents_now] == ["image/jpeg", "application/pdf"]
        reader = PdfReader(io.BytesIO(kit.vault.get(documents_now[1].sha256)))
    assert len(reader.pages) == 1
    assert documents_now[1].size < photo.stat().st_size  # smaller than the photo it came from


def test_photos_dropped_on_the_scanner_window_join_the_strip(qtbot, window, ctx, tmp_path):
    """What a drop carries (file links) decides what is offered: local pictures only. (The drop events
    themselves are Qt's; building them by hand in a test leaves Qt objects to Python's collector.)"""
    import cv2
    from PySide6.QtCore import QMimeData, QUrl

    from fieldkit.gui.scanner_dialog import _dropped_photos

    photo, notes = tmp_path / "giay-to.png", tmp_path / "ghi-chu.txt"
    cv2.imwrite(str(photo), np.full((600, 800, 3), 200, np.uint8))
    notes.write_text("không phải ảnh", encoding="utf-8")
    wizard = wizard_at(window, qtbot, 3)
    ctx.camera = "camera:97"
    dialog = ScannerDialog(ctx, wizard.draft.dossier_uuid, ctx.catalog.get("1.004873").slot("TOKHAI"))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.acceptDrops()

    def dragged(*links):
        mime = QMimeData()
        mime.setUrls(list(links))
        return mime

    web = QUrl("https://example.org/anh.jpg")
    assert _dropped_photos(dragged(QUrl.fromLocalFile(str(notes)), web)) == []  # a text file, a web link
    assert _dropped_photos(QMimeData()) == []
    photos = _dropped_photos(dragged(QUrl.fromLocalFile(str(notes)), QUrl.fromLocalFile(str(photo))))
    assert photos == [str(photo)]
    dialog.read_photos(photos)  # what a drop does with them
    qtbot.waitUntil(lambda: dialog.strip.count() == 1, timeout=30_000)
    assert dialog.session.pages[0].photo.shape[:2] == (600, 800)


def test_a_page_not_found_for_a_while_gets_advice_that_goes_when_it_is_found(qtbot, window, ctx):
    wizard = wizard_at(window, qtbot, 3)
    procedure = ctx.catalog.get("1.004873")
    dialog = ScannerDialog(ctx, wizard.draft.dossier_uuid, procedure.slot("TOKHAI"))
    qtbot.addWidget(dialog)  # not shown, so no camera: the frames are fed by hand, on their own clock
    rng = np.random.default_rng(5)
    table = plain(1280, 720, rng)  # nothing on it
    clock = [0.5 * k for k in range(int(2 * NO_PAGE_SECONDS) + 8)]
    for k, now in enumerate(clock):
        dialog._analyse(Frame(table, k, now, None))
        QApplication.processEvents()  # what the camera thread tells the dialog arrives queued
        if now < NO_PAGE_SECONDS:  # a moment without a page (putting it down) says nothing yet
            assert dialog.status.text() == ctx.tr("ui.scan.hint")
    assert dialog.status.text() == ctx.tr("ui.scan.no_page")

    scene = render_scene(form_page(rng).image, (1280, 720), "wood", rng, Conditions(noise=2.0))
    dialog._analyse(Frame(scene.image, len(clock), clock[-1] + 0.5, scene.truth))
    QApplication.processEvents()
    assert dialog.status.text() == ctx.tr("ui.scan.hint")


def test_a_page_running_out_of_the_picture_is_said_and_not_captured_by_itself(qtbot, window, ctx):
    wizard = wizard_at(window, qtbot, 3)
    procedure = ctx.catalog.get("1.004873")
    dialog = ScannerDialog(ctx, wizard.draft.dossier_uuid, procedure.slot("TOKHAI"))
    qtbot.addWidget(dialog)  # not shown, so no camera: the frames are fed by hand
    rng = np.random.default_rng(6)
    page = form_page(rng).image
    cut = a4_at((640, 420), 700, 4)  # its bottom corners below the frame
    out = apply_conditions(place_page(page, cut, plain(1280, 720, rng)), cut, Conditions(noise=2.0), rng)
    for k in range(15):
        overlays, text = dialog._analyse(Frame(out, k, 0.1 * k, None))
        QApplication.processEvents()
    assert dialog.status.text() == ctx.tr("ui.scan.runs_out")
    assert overlays and overlays[0].colour != "#00c853" and text == ""  # amber outline, no countdown
    assert len(dialog.session.pages) == 0
    dialog.capture()  # taken by hand as it is: marked in the strip, with what to do
    item = dialog.strip.item(0)
    assert "⚠" in item.text() and item.toolTip() == ctx.tr("ui.scan.page_runs_out_tip")

    inside = a4_at((640, 360), 600, 4)
    whole = apply_conditions(place_page(page, inside, plain(1280, 720, rng)), inside, Conditions(noise=2.0), rng)
    dialog._analyse(Frame(whole, 15, 1.5, None))
    QApplication.processEvents()
    assert dialog.status.text() == ctx.tr("ui.scan.count", count=1)  # the advice gives way to the page count


def test_an_outline_not_of_the_slots_paper_is_said_live_and_taken_only_after_a_longer_wait(qtbot, window, ctx):
    wizard = wizard_at(window, qtbot, 3)
    card_slot = ctx.catalog.get("2.000488").slot("CANCUOC")
    dialog = ScannerDialog(ctx, wizard.draft.dossier_uuid, card_slot)
    qtbot.addWidget(dialog)  # not shown, so no camera: the frames are fed by hand, on their own clock
    rng = np.random.default_rng(6)
    quad = a4_at((640, 360), 600, 4)  # an A4 sheet held up in the ID card's slot
    sheet = apply_conditions(place_page(form_page(rng).image, quad, plain(1280, 720, rng)), quad, Conditions(), rng)
    advice = ctx.tr("ui.scan.off_shape", paper=ctx.tr("ui.scan.paper.id-card"))
    assert "Thẻ căn cước" in advice
    settings = dialog.session.settings
    still = settings.steady_seconds + settings.off_shape_seconds
    k = 0
    while 0.1 * k < still - 0.2:  # held still past the usual moment: told, amber, no countdown, not taken
        overlays, text = dialog._analyse(Frame(sheet, k, 0.1 * k, None))
        QApplication.processEvents()
        k += 1
    assert dialog.status.text() == advice
    assert overlays and overlays[0].colour != "#00c853" and text == ""
    assert len(dialog.session.pages) == 0
    while not dialog.session.pages and 0.1 * k < still + 1.0:  # then taken anyway (a copy on A4, maybe)
        dialog._analyse(Frame(sheet, k, 0.1 * k, None))
        k += 1
    QApplication.processEvents()
    assert len(dialog.session.pages) == 1
    assert "⚠" in dialog.strip.item(0).text()

    assert dialog.status.text() == ctx.tr("ui.scan.count", count=1)  # the page count says it was taken
    table = plain(1280, 720, rng)
    for j in range(1, 7):  # the sheet taken away: no more advice to give
        dialog._analyse(Frame(table, k + j, 0.1 * (k + j), None))
    assert dialog._told_advice == ""


def test_a_double_click_on_a_page_opens_its_corners_and_ok_keeps_them(qtbot, window, ctx, tmp_path):
    photo = tmp_path / "page.png"
    rng = np.random.default_rng(8)
    scene = render_scene(form_page(rng).image, (1280, 720), "wood", rng, conditions=Conditions(noise=2.0))
    cv2.imwrite(str(photo), scene.image)
    wizard = wizard_at(window, qtbot, 3)
    dialog = ScannerDialog(
        ctx, wizard.draft.dossier_uuid, ctx.catalog.get("1.004873").slot("TOKHAI"), photos=[str(photo)]
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.strip.count() == 1, timeout=30_000)
    item = dialog.strip.item(0)
    centre = dialog.strip.visualItemRect(item).center()
    QTest.mouseClick(dialog.strip.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    QTest.mouseDClick(dialog.strip.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    editor = dialog.corner_editor
    assert editor is not None and editor.isVisible()
    np.testing.assert_allclose(editor.quad(), dialog.session.pages[0].quad)
    inset = dialog.session.pages[0].quad + np.float32([[30, 20], [-30, 20], [-30, -20], [30, -20]])
    editor.canvas.set_quad(inset)
    editor.accept()
    np.testing.assert_allclose(dialog.session.pages[0].quad, inset, atol=1)
    assert dialog.corner_editor is None  # closed, and not held


def test_a_page_not_shaped_like_the_slots_paper_is_flagged_until_its_corners_are_set(qtbot, window, ctx, tmp_path):
    """An A4 sheet photographed for the ID card's slot: found as the sheet it is, and flagged in the strip with
    advice (the worker may have taken the wrong paper, or the outline holds part of the card only)."""
    import cv2

    rng = np.random.default_rng(8)
    scene = render_scene(form_page(rng).image, (1600, 1200), "wood", rng, Conditions(noise=2.0), fill=(0.8, 0.9))
    photo = tmp_path / "IMG_0003.jpg"
    cv2.imwrite(str(photo), scene.image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    wizard = wizard_at(window, qtbot, 3)
    ctx.camera = "camera:97"
    card_slot = ctx.catalog.get("2.000488").slot("CANCUOC")
    assert card_slot.paper == "id-card"
    dialog = ScannerDialog(ctx, wizard.draft.dossier_uuid, card_slot, photos=[str(photo)])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.strip.count() == 1, timeout=30_000)
    assert dialog.session.pages[0].off_shape
    assert "⚠" in dialog.strip.item(0).text()
    assert dialog.strip.item(0).toolTip() == ctx.tr("ui.scan.page_off_shape_tip")
    dialog.set_corners(0, dialog.session.pages[0].quad)  # the worker looked and keeps them
    assert "⚠" not in dialog.strip.item(0).text()
