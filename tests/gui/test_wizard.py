"""A field worker files a dossier through the whole wizard: real widgets, real kit, real PDF."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from fieldkit.core.workflow import LocalStatus
from fieldkit.gui.dialogs import Dialogs
from tests.conftest import make_pdf
from tests.gui.conftest import opened, type_citizen, type_text, wizard_at


def test_the_whole_wizard_files_a_queued_dossier(qtbot, window, ctx, tmp_path):
    pdf = tmp_path / "to-khai.pdf"
    pdf.write_bytes(make_pdf(2))
    window.home.new_button.click()
    wizard = window.wizard
    assert window.pages.currentWidget() is wizard

    procedure = wizard.steps[0]
    assert not wizard.next_button.isEnabled()
    qtbot.keyClicks(procedure.search, "hon nhan")
    procedure.results.setCurrentRow(0)
    assert procedure.selected_code() == "1.004873"
    wizard.next_button.click()

    citizen = wizard.steps[1]
    assert wizard.index == 1 and not wizard.next_button.isEnabled()
    type_citizen(citizen, qtbot)
    assert citizen.problems_by_field() == {}
    assert wizard.next_button.isEnabled()
    wizard.next_button.click()

    declaration = wizard.steps[2]
    assert wizard.index == 2
    marital = declaration.editors["marital_status"].widget
    marital.setCurrentIndex(marital.findData("chua_ket_hon"))
    type_text(qtbot, declaration.editors["purpose"].widget, "Để đăng ký kết hôn")
    qtbot.keyClicks(declaration.editors["copies"].widget, "hai")
    assert not declaration.editors["copies"].problem.isHidden()  # the reason is shown as you type
    declaration.editors["copies"].widget.clear()
    qtbot.keyClicks(declaration.editors["copies"].widget, "2")
    assert declaration.editors["copies"].problem.isHidden()
    wizard.next_button.click()

    documents = wizard.steps[3]
    assert wizard.index == 3 and wizard.draft.dossier_uuid
    ctx.dialogs.file_answer = str(pdf)
    documents.import_buttons["TOKHAI"].click()
    assert "2" in documents.state_labels["TOKHAI"].text()
    qtbot.waitUntil(lambda: documents.page_strips["TOKHAI"].page_count() == 2)  # its pages, small
    assert documents.page_strips["TOKHAI"].isVisibleTo(documents)
    wizard.next_button.click()

    review = wizard.steps[4]
    assert "Nguyễn Văn An" in review.summary.toPlainText()
    assert review.problems == []
    assert not wizard.queue_button.isEnabled()  # consent first
    review.consent.setChecked(True)
    wizard.queue_button.click()
    assert ctx.dialogs.errors == []

    with opened(ctx) as kit:
        [dossier] = kit.dossiers.list()
        assert dossier.status is LocalStatus.QUEUED
        assert dossier.declaration == {"marital_status": "chua_ket_hon", "purpose": "Để đăng ký kết hôn", "copies": "2"}
        assert kit.citizens.get("001090012345").phone == "0912345678"
        assert kit.vault.get(dossier.documents[0].sha256) == pdf.read_bytes()

    wizard.home_button.click()
    assert window.pages.currentWidget() is window.home
    assert window.home.model.rowCount() == 1
    assert "Chờ gửi: 1" in window.home.counts.text()


def test_going_back_and_forth_keeps_what_was_typed(qtbot, window):
    wizard = wizard_at(window, qtbot, 2)
    qtbot.keyClicks(wizard.steps[2].editors["purpose"].widget, "vay von")
    wizard.back_button.click()
    assert wizard.index == 1
    assert wizard.steps[1].inputs["full_name"].text() == "Nguyễn Văn An"
    wizard.next_button.click()
    assert wizard.steps[2].editors["purpose"].text() == "vay von"


def test_id_digit_mismatch_is_shown_beside_the_field_and_can_be_accepted(qtbot, window):
    wizard = wizard_at(window, qtbot, 1)
    step = wizard.steps[1]
    type_citizen(step, qtbot, sex="nu")
    label = step.problem_labels["id_number"]
    assert not label.isHidden() and "Chữ số thứ 4" in label.text()
    assert not wizard.next_button.isEnabled()
    assert step.accept_mismatch.isVisibleTo(step)
    step.accept_mismatch.setChecked(True)
    assert wizard.next_button.isEnabled()
    wizard.next_button.click()
    assert wizard.index == 2


def test_a_known_citizen_is_found_without_accents(qtbot, window):
    wizard_at(window, qtbot, 2)  # declared once...
    step = wizard_at(window, qtbot, 1).steps[1]  # ...found again for the next dossier
    for name in step.inputs:
        if name != "sex":
            step.inputs[name].clear()
    qtbot.keyClicks(step.search, "nguyen van")
    step._run_search()
    assert step.found.count() == 1
    step._use_found(step.found.item(0))
    assert step.inputs["id_number"].text() == "001090012345"
    assert step.inputs["date_of_birth"].text() == "01/02/1990"


def test_next_citizen_keeps_the_place(qtbot, window, ctx):
    window.settings.village.setText("Thôn Phú Lương")
    window.settings.place_kind.setCurrentIndex(window.settings.place_kind.findData("help_desk"))
    window.settings.save()
    assert window.place.village == "Thôn Phú Lương"
    wizard = wizard_at(window, qtbot, 3)
    wizard.next_button.click()
    wizard.draft_button.click()
    assert wizard.stack.currentWidget() is wizard.done_panel
    wizard.next_citizen_button.click()
    assert wizard.index == 0 and wizard.draft.place.village == "Thôn Phú Lương"
    assert wizard.draft.applicant_id is None
    with opened(ctx) as kit:
        [dossier] = kit.dossiers.list()
        assert dossier.place.village == "Thôn Phú Lương" and dossier.status is LocalStatus.DRAFT


def test_a_broken_file_is_refused_with_a_message_and_nothing_attached(qtbot, window, ctx, tmp_path):
    broken = tmp_path / "hong.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    documents = wizard_at(window, qtbot, 3).steps[3]
    ctx.dialogs.file_answer = str(broken)
    documents.import_buttons["TOKHAI"].click()
    assert len(ctx.dialogs.errors) == 1 and "hong.pdf" in ctx.dialogs.shown[-1]
    assert documents.state_labels["TOKHAI"].text() == "Chưa có"
    assert documents.page_strips["TOKHAI"].page_count() == 0


def test_keyboard_alone_reaches_the_first_steps(qtbot, window):
    qtbot.keyClick(window.home, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    wizard = window.wizard
    assert window.pages.currentWidget() is wizard
    qtbot.keyClicks(wizard.steps[0].search, "khai tu")
    qtbot.keyClick(wizard.steps[0].search, Qt.Key.Key_Return)
    assert wizard.steps[0].selected_code() == "1.000656"


def test_the_file_chooser_speaks_vietnamese(qtbot, window, ctx):
    """Qt has no Vietnamese of its own for its file chooser: every label and button is given by FieldKit."""
    dialogs = Dialogs(ctx.tr)
    chooser = dialogs.file_dialog(window, "Chọn giấy tờ", ".", "PDF (*.pdf)", QFileDialog.AcceptMode.AcceptOpen)
    qtbot.addWidget(chooser)
    labels = [chooser.labelText(label) for label in QFileDialog.DialogLabel]
    assert labels == ["Tìm trong:", "Tên tệp:", "Loại tệp:", "Mở", "Hủy"]
    saver = dialogs.file_dialog(window, "Lưu", "a.pdf", "PDF (*.pdf)", QFileDialog.AcceptMode.AcceptSave)
    qtbot.addWidget(saver)
    assert saver.labelText(QFileDialog.DialogLabel.Accept) == "Lưu"


def test_settings_name_the_cameras_and_write_numbers_the_vietnamese_way(qtbot, window, ctx):
    settings = window.settings
    settings.load()
    qtbot.waitUntil(lambda: settings.camera.currentText() != "")
    assert settings.camera.currentText() == "Tự động (webcam có sẵn)"  # not the spec "auto"
    assert settings.max_file_mb.text().startswith("10,00")
    settings.camera.setCurrentIndex(settings.camera.findData("demo"))
    settings.max_file_mb.setValue(7.5)
    settings.save()
    with opened(ctx) as kit:
        assert kit.settings.get("camera") == "demo" and kit.settings.get("max_file_mb") == 7.5
    settings.camera.setEditText("video:/tmp/tap-huan.mp4")  # a recorded video can still be typed in
    assert settings.values()["camera"] == "video:/tmp/tap-huan.mp4"
