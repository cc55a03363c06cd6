"""Drive the real app through every screen and save a PNG of each, in Vietnamese and English.

Run by `scripts/screenshots` (under Xvfb). Uses a throw-away kit filled with fictitious people.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from pathlib import Path

import img2pdf
import numpy as np
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from fieldkit.camera.paperwork import form_page
from fieldkit.core.citizen import citizen_from_text
from fieldkit.core.clock import SystemClock
from fieldkit.core.consent import consent_text
from fieldkit.core.dossier import Place, PlaceKind
from fieldkit.core.i18n import Translator
from fieldkit.core.workflow import LocalStatus, PortalStatus
from fieldkit.gui.app import build_context, make_application
from fieldkit.gui.corner_editor import CornerEditor
from fieldkit.gui.dialogs import RecordingDialogs
from fieldkit.gui.main_window import MainWindow
from fieldkit.gui.qr_dialog import QrScanDialog
from fieldkit.gui.scanner_dialog import ScannerDialog
from fieldkit.storage.citizen_service import CitizenService
from fieldkit.storage.dossier_service import DossierService
from fieldkit.storage.keys import KdfParams
from fieldkit.storage.security import init_kit

PEOPLE = [
    ("001090012345", "Nguyễn Văn An", "01/02/1990", "nam", "Số 5, ngõ 12, phường Trúc Bạch, Hà Nội"),
    ("046158001234", "Trần Thị Hoa", "12/03/1958", "nu", "Thôn Phú Lương, xã Phong Hiền, Thừa Thiên Huế"),
    ("046045000321", "Lê Văn Bảy", "20/07/1945", "nam", "Thôn 3, xã Quảng Thọ, Thừa Thiên Huế"),
]


def sample_pdf() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.full((300, 212), 235, np.uint8), "L").save(buffer, format="PNG")
    return img2pdf.convert(buffer.getvalue())


def form_pdf() -> bytes:
    """Two pages of a filled-in declaration, as the scanner makes them (grey, JPEG)."""
    pages = []
    for seed in (1, 2):
        buffer = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(form_page(np.random.default_rng(seed)).image[::2, ::2, ::-1])).convert(
            "L"
        ).save(buffer, format="JPEG", quality=70)
        pages.append(buffer.getvalue())
    return img2pdf.convert(pages)


# A throw-away kit: cheap key derivation is fine here, nothing real is ever stored in it.
SHOTS_KDF = KdfParams(time_cost=1, memory_kib=8192)
WORKER, PASSWORD = "hoa.tt", "mat-khau-minh-hoa"


def fill(data_dir: Path) -> None:
    kit, session = init_kit(data_dir, WORKER, PASSWORD, kdf=SHOTS_KDF)
    with kit:
        for number, name, born, sex, address in PEOPLE:
            citizen, _ = citizen_from_text(
                {
                    "id_number": number,
                    "full_name": name,
                    "date_of_birth": born,
                    "sex": sex,
                    "permanent_address": address,
                }
            )
            CitizenService(kit, session.user).save(citizen)
        service = DossierService(kit, session.user)
        place = Place(PlaceKind.HOME_VISIT, "Thôn Phú Lương")
        sent = service.create("1.004873", PEOPLE[0][0], {"marital_status": "chua_ket_hon", "purpose": "Kết hôn"}, place)
        service.attach_bytes(sent.uuid, "TOKHAI", sample_pdf(), "to-khai.pdf", dpi=90)
        agree(service, sent.uuid, "1.004873")
        service.queue(sent.uuid)
        now = kit.clock.now()
        dossier = kit.dossiers.get(sent.uuid)
        sending, e1 = dossier.moved(LocalStatus.SENDING, "sync", now)
        done, e2 = sending.accepted_by_portal("H14.23-261122-00017", "sync", now)
        progressed, e3 = done.with_portal_status(PortalStatus.IN_PROGRESS, "", "sync", now)
        kit.dossiers.save(progressed, [e1, e2, e3])
        back = service.create(
            "1.004222", PEOPLE[1][0], {"new_address": "Thôn Phú Lương", "relationship_to_head": "Mẹ"}, place
        )
        service.attach_bytes(back.uuid, "CT01", sample_pdf(), "ct01.pdf")
        service.attach_bytes(back.uuid, "CHOHOPPHAP", sample_pdf(), "so-do.pdf")
        agree(service, back.uuid, "1.004222")
        service.queue(back.uuid)
        dossier = kit.dossiers.get(back.uuid)
        sending, e1 = dossier.moved(LocalStatus.SENDING, "sync", now)
        done, e2 = sending.accepted_by_portal("H14.23-261122-00018", "sync", now)
        returned, e3 = done.with_portal_status(
            PortalStatus.MORE_DOCUMENTS, "Bổ sung văn bản đồng ý của chủ hộ", "sync", now
        )
        kit.dossiers.save(returned, [e1, e2, e3])
        service.create("1.000656", PEOPLE[2][0], {"deceased_full_name": "Lê Thị Tám"}, place)


def agree(service: DossierService, uuid: str, code: str) -> None:
    service.record_consent(uuid, consent_text("vi", service.kit.catalog.get(code).name.vi))


def wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        QApplication.processEvents()
        time.sleep(0.02)


def shoot_dialog(dialog, folder: Path, name: str) -> None:
    QApplication.processEvents()
    dialog.grab().save(str(folder / f"{name}.png"), "PNG", 0)


def shoot_corner_drag(editor: CornerEditor, folder: Path, name: str) -> None:
    """The corner editor in the middle of dragging a corner: the magnifier showing what lies under it."""
    QApplication.processEvents()
    canvas = editor.canvas
    corner = canvas.to_screen(canvas.quad[2]).toPoint()
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, corner)
    QTest.mouseMove(canvas, corner + QPoint(-4, -3))
    shoot_dialog(editor, folder, name)
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, corner + QPoint(-4, -3))


def shoot(window: MainWindow, folder: Path, name: str) -> None:
    QApplication.processEvents()
    window.grab().save(str(folder / f"{name}.png"), "PNG", 0)  # 0: the most compression


def capture(lang: str, out: Path) -> list[Path]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"fieldkit-shots-{lang}-"))
    fill(data_dir)
    tr = Translator(lang)
    ctx = build_context(data_dir, tr, dialogs=RecordingDialogs(tr), clock=SystemClock(), synchronous=True)
    window = MainWindow(ctx)
    window.resize(1366, 740)
    window.start()
    window.show()
    folder = out / lang
    folder.mkdir(parents=True, exist_ok=True)
    window.login.username.setText(WORKER)
    shoot(window, folder, "00-sign-in")
    window.login.password.setText(PASSWORD)
    window.login.submit()
    shoot(window, folder, "01-home")
    window.new_dossier()
    wizard = window.wizard
    wizard.steps[0].search.setText("hôn nhân")
    wizard.steps[0].results.setCurrentRow(0)
    shoot(window, folder, "02-wizard-procedure")
    wizard.next()
    citizen = wizard.steps[1]
    citizen.search.setText("tran thi")
    citizen._run_search()
    citizen.inputs["id_number"].setText("001090012345")
    citizen.inputs["full_name"].setText("Nguyễn Văn An")
    citizen.inputs["date_of_birth"].setText("01/02/1990")
    citizen.inputs["sex"].setCurrentIndex(citizen.inputs["sex"].findData("nu"))
    shoot(window, folder, "03-wizard-citizen-mismatch")
    citizen.inputs["sex"].setCurrentIndex(citizen.inputs["sex"].findData("nam"))
    wizard.next()
    declaration = wizard.steps[2]
    declaration.editors["marital_status"].widget.setCurrentIndex(1)
    declaration.editors["copies"].widget.setText("hai")
    shoot(window, folder, "04-wizard-declaration")
    declaration.editors["copies"].widget.setText("2")
    declaration.editors["purpose"].widget.setText("Để đăng ký kết hôn")
    wizard.next()
    documents = wizard.steps[3]
    declaration_pdf = data_dir / "to-khai.pdf"
    declaration_pdf.write_bytes(form_pdf())
    uuid, actor = wizard.draft.dossier_uuid, ctx.actor
    ctx.runner.db(lambda kit: DossierService(kit, actor).attach_file(uuid, "TOKHAI", declaration_pdf)).success(
        documents._show
    ).run()
    wait_for(lambda: documents.page_strips["TOKHAI"].page_count() == 2, 8)
    shoot(window, folder, "05-wizard-documents")
    wizard.next()
    wizard.steps[4].consent.setChecked(True)
    shoot(window, folder, "06-wizard-review")
    wizard._finish(queue=False)
    shoot(window, folder, "07-wizard-done")
    window.show_home()
    window.open_dossier(window.home.model.summary(0).uuid)
    shoot(window, folder, "08-dossier-detail")
    window.show_settings()
    shoot(window, folder, "09-settings")
    window.show_review()
    shoot(window, folder, "10-review-queue")
    window.show_dashboard()
    shoot(window, folder, "11-dashboard")
    ctx.camera = "demo"
    qr = QrScanDialog(ctx, "citizen", window)
    qr.resize(1000, 700)
    qr.show()
    wait_for(lambda: (qr.view.current is not None and qr.view.current.overlays) or qr.reading is not None, 8)
    shoot_dialog(qr, folder, "12-qr-scan")
    qr.reject()
    uuid = window.home.model.summary(0).uuid
    scanner = ScannerDialog(ctx, uuid, ctx.catalog.get("1.004873").slot("TOKHAI"), window)
    scanner.resize(1100, 720)
    scanner.show()
    wait_for(lambda: scanner.strip.count() >= 2, 20)
    wait_for(lambda: scanner.view.current is not None and bool(scanner.view.current.overlays), 5)
    shoot_dialog(scanner, folder, "13-scanner")
    scanner.strip.setCurrentRow(0)
    scanner.adjust_selected()  # as "Chỉnh góc" opens it; its outline then set a little off the paper
    editor = scanner.corner_editor
    editor.canvas.quad += np.float32([[14, 10], [-12, 9], [10, -8], [-9, -12]])
    shoot_corner_drag(editor, folder, "14-corner-editor")
    editor.reject()
    scanner.reject()
    ctx.runner.shutdown()
    window.close()
    return sorted(folder.glob("*.png"))


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    make_application()
    for lang in ("vi", "en"):
        for path in capture(lang, out):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
