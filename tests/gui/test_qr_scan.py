"""Scanning the ID card's and the procedure's QR codes live, with the demo camera."""

from __future__ import annotations

from fieldkit.gui.qr_dialog import QrScanDialog
from fieldkit.qr.democard import DEMO_PAYLOAD
from fieldkit.qr.meaning import interpret
from tests.conftest import TODAY
from tests.gui.conftest import wizard_at


def test_the_id_card_fills_the_citizen_form(qtbot, window):
    wizard = wizard_at(window, qtbot, 1)
    step = wizard.steps[1]
    step.scan()
    dialog = step.dialog
    qtbot.waitUntil(lambda: dialog.reading is not None, timeout=20_000)
    qtbot.waitUntil(lambda: step.inputs["full_name"].text() != "", timeout=5_000)
    assert step.inputs["full_name"].text() == "Nguyễn Văn Mẫu"
    assert step.inputs["id_number"].text() == "001090000123"
    assert step.inputs["date_of_birth"].text() == "01/02/1990"
    assert "công dân mới" in step.card_note.text()
    assert dialog.feed.frames_read >= 1  # read from the (demo) camera, live
    assert wizard.next_button.isEnabled()


def test_a_procedure_poster_selects_the_procedure(qtbot, window):
    window.new_dossier()
    step = window.wizard.steps[0]
    step.search.setText("khai sinh")
    step.scan()
    qtbot.waitUntil(lambda: step.dialog.reading is not None, timeout=20_000)
    qtbot.waitUntil(lambda: step.selected_code() == "1.004873", timeout=5_000)


def test_the_wrong_kind_of_code_is_said_and_scanning_goes_on(qtbot, ctx, window):
    dialog = QrScanDialog(ctx, "procedure")
    qtbot.addWidget(dialog)
    dialog._on_reading(interpret(DEMO_PAYLOAD, catalog=ctx.catalog, today=TODAY))
    assert dialog.reading is None and "không phải mã thủ tục" in dialog.status.text()
    dialog._on_reading(interpret("1.999999", catalog=ctx.catalog, today=TODAY))
    assert "1.999999" in dialog.status.text()
    dialog.reject()


def test_a_missing_camera_is_said_in_the_preview(qtbot, ctx, window):
    ctx.camera = "camera:57"
    dialog = QrScanDialog(ctx, "citizen")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: "camera số 57" in dialog.status.text(), timeout=10_000)
    dialog.reject()
