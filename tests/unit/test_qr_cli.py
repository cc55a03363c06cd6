"""`fieldkit qr`: one JSON object per image, live reading from the demo camera and from a video."""

import json

import cv2
import numpy as np
import pytest

from fieldkit.qr.democard import DEMO_PAYLOAD, demo_card, render_qr
from tests.unit.test_qr_reader import CARD, scene

NEW_ADDRESS = "Số 9, phố Hàng Bông, phường Hàng Gai, Hà Nội"


@pytest.fixture
def card_png(tmp_path):
    path = tmp_path / "thẻ căn cước.png"
    cv2.imwrite(str(path), demo_card())
    return path


def poster(tmp_path, text: str, name: str):
    frame, _ = scene(text, module_px=5, angle=8, tilt=0.1)
    path = tmp_path / name
    cv2.imwrite(str(path), frame, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return path


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_an_id_card_image_gives_the_citizen(run_cli, card_png):
    code, out, err = run_cli("qr", "--json", str(card_png))
    assert code == 0 and err == ""
    [result] = lines(out)
    assert result["image"] == str(card_png)
    [qr] = result["codes"]
    assert (qr["text"], qr["format"], qr["kind"]) == (DEMO_PAYLOAD, "QRCode", "citizen")
    assert len(qr["quad"]) == 4 and all(len(point) == 2 for point in qr["quad"])
    citizen = result["citizen"]
    assert (citizen["id_number"], citizen["full_name"], citizen["sex"]) == ("001090000123", "Nguyễn Văn Mẫu", "nam")
    assert (citizen["known"], citizen["differences"], citizen["needs_decision"]) == (False, [], False)
    assert result["procedure"] is None and result["warnings"] == [] and result["error"] is None


def test_a_card_is_read_on_a_machine_with_no_kit_yet(run_cli, card_png, tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDKIT_DATA_DIR", str(tmp_path / "no-kit-here"))
    code, out, _ = run_cli("qr", "--json", str(card_png))
    [result] = lines(out)
    assert code == 0 and result["citizen"]["id_number"] == "001090000123" and result["citizen"]["known"] is False
    assert not (tmp_path / "no-kit-here" / "accounts.json").exists()


def test_a_card_photographed_on_an_iphone_is_read(run_cli, card_png, tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    from PIL import Image

    pillow_heif.register_heif_opener()
    heic = tmp_path / "IMG_0002.HEIC"
    Image.open(card_png).convert("RGB").save(heic, "HEIF", quality=92)
    code, out, _ = run_cli("qr", "--json", str(heic))
    [result] = lines(out)
    assert code == 0 and result["citizen"]["id_number"] == "001090000123"


def test_a_known_citizen_with_a_new_address_is_shown_not_duplicated(run_cli, card_png):
    moved = DEMO_PAYLOAD.replace(DEMO_PAYLOAD.split("|")[5], NEW_ADDRESS)
    assert run_cli("citizen", "add", "--qr-payload", moved)[0] == 0
    code, out, _ = run_cli("--lang", "en", "qr", "--json", str(card_png))
    [result] = lines(out)
    assert code == 0 and result["citizen"]["known"] is True
    assert result["citizen"]["differences"] == ["permanent_address"]
    assert [w["code"] for w in result["warnings"]] == ["qr.citizen_differs"]
    assert "Permanent address" in result["warnings"][0]["message"]
    assert len(lines(run_cli("citizen", "find", "nguyen van mau", "--json")[1])) == 1


def test_a_card_whose_digits_disagree_needs_the_workers_decision(run_cli, tmp_path):
    text = CARD.replace("|Nữ|", "|Nam|")  # digit 4 (1) says female
    code, out, _ = run_cli("--lang", "en", "qr", "--json", str(poster(tmp_path, text, "card.jpg")))
    [result] = lines(out)
    assert code == 0 and result["citizen"]["needs_decision"] is True
    assert [p["code"] for p in result["citizen"]["problems"]] == ["problem.id.sex_mismatch"]
    assert result["warnings"][0]["message"].endswith("4th digit (1) means female, but the sex given is male.")


def test_several_images_one_line_each_and_failures_say_why(run_cli, tmp_path):
    known = poster(tmp_path, "https://dichvucong.gov.vn/p/home/x.html?ma_thu_tuc=1.004873.000.00.00.H14", "a.jpg")
    unknown = poster(tmp_path, "1.999999", "b.jpg")
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((480, 640), 200, np.uint8))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff not really a jpeg")
    missing = tmp_path / "missing.png"
    code, out, _ = run_cli("--lang", "en", "qr", "--json", *map(str, (known, unknown, blank, broken, missing)))
    assert code == 2
    results = lines(out)
    assert [r["image"] for r in results] == [str(p) for p in (known, unknown, blank, broken, missing)]
    procedure = results[0]["procedure"]
    assert (procedure["code"], procedure["code_read"], procedure["found"]) == (
        "1.004873",
        "1.004873.000.00.00.H14",
        True,
    )
    assert procedure["name_vi"] and results[0]["citizen"] is None and results[0]["error"] is None
    assert results[1]["procedure"] == {"code": "1.999999", "code_read": "1.999999", "found": False}
    assert [w["code"] for w in results[1]["warnings"]] == ["qr.procedure_unknown"]
    assert results[2]["codes"] == [] and results[2]["error"].startswith("No QR code found.")
    assert results[3]["error"].startswith(f"Cannot open {broken}")
    assert results[4]["error"] == f"Image {missing} not found."


def test_text_output_for_people(run_cli, card_png, tmp_path):
    code, out, _ = run_cli("--lang", "en", "qr", str(card_png), str(poster(tmp_path, "1.004873", "p.jpg")))
    assert code == 0
    assert f"{card_png}: 1 QR code(s)" in out
    assert "Citizen: Nguyễn Văn Mẫu, ID 001090000123 (not on this kit yet)" in out
    assert "Procedure: 1.004873 " in out


def test_live_from_the_demo_camera(run_cli):
    code, out, err = run_cli("qr", "--source", "demo", "--json", "--timeout", "20")
    assert code == 0, err
    [result] = lines(out)
    assert result["image"] == "demo" and result["citizen"]["id_number"] == "001090000123"


def test_live_source_defaults_to_the_global_camera_option(run_cli):
    code, out, _ = run_cli("--camera", "demo", "qr", "--source", "--json")
    assert code == 0 and lines(out)[0]["codes"][0]["text"] == DEMO_PAYLOAD


def write_video(path, frames):
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (width, height))
    for frame in frames:
        writer.write(frame)
    writer.release()


def test_live_from_a_video_reads_every_frame_until_the_code(run_cli, tmp_path):
    empty = np.full((720, 1280, 3), 90, np.uint8)
    shown, _ = scene("1.004194", module_px=4)
    video = tmp_path / "clip.avi"
    write_video(video, [empty] * 6 + [shown] * 2)
    code, out, _ = run_cli("qr", "--source", f"video:{video}", "--json")
    assert code == 0 and lines(out)[0]["procedure"]["code"] == "1.004194"


def test_a_video_without_a_code_ends_with_a_clear_error(run_cli, tmp_path):
    video = tmp_path / "empty.avi"
    write_video(video, [np.full((720, 1280, 3), 90, np.uint8)] * 3)
    code, out, _ = run_cli("--lang", "en", "qr", "--source", f"video:{video}", "--timeout", "60")
    assert code == 2 and out.strip().endswith("ended without a QR code being read.")


def test_reading_live_gives_up_after_the_timeout(run_cli, tmp_path):
    video = tmp_path / "long.avi"
    wall = cv2.cvtColor(np.tile(np.linspace(60, 200, 640, dtype=np.uint8), (360, 1)), cv2.COLOR_GRAY2BGR)
    write_video(video, [wall] * 300)  # far more frames than are decoded in a tenth of a second
    code, out, _ = run_cli("--lang", "en", "qr", "--source", f"video:{video}", "--timeout", "0.1", "--json")
    [result] = lines(out)
    assert code == 2 and result["codes"] == []
    assert (
        result["error"] == f"No QR code read from video:{video} after 0.1 seconds. Bring the QR code closer to "
        "the camera, add light, hold still and try again."
    )


def test_mistakes_are_one_clear_line(run_cli, tmp_path):
    code, _, err = run_cli("--lang", "en", "qr")
    assert code == 2 and err.strip() == "Name the images to read, or use --source to read QR codes from a camera."
    code, _, err = run_cli("--lang", "en", "qr", "--source", f"video:{tmp_path / 'none.avi'}")
    assert code == 2 and "Traceback" not in err and err.strip()
    code, _, err = run_cli("--lang", "en", "qr", "--source", "demo", str(tmp_path / "a.png"))
    assert code == 2 and err.strip() == "Read either images or a --source, not both at once."
    code, _, err = run_cli("--lang", "en", "qr", "--source", "demo", "--timeout", "0")
    assert code == 2 and err.strip() == "The waiting time must be more than 0 seconds (given: 0)."


def test_render_qr_gives_the_quiet_zone_asked_for():
    image = render_qr("1.004873", module_px=3, border=4)
    assert image.shape[0] == image.shape[1] and (image[:12] == 255).all()
