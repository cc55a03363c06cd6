"""The scanner dialog with the demo camera: auto-capture, page operations, and a real PDF in the vault."""

from __future__ import annotations

import io

import numpy as np
from pypdf import PdfReader

from fieldkit.gui.scanner_dialog import ScannerDialog
from tests.gui.conftest import opened, wizard_at


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
