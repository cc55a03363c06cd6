"""`fieldkit scan`: photographs to PDF, detect-only JSON lines, the demo camera, attaching to a dossier."""

import io
import json

import cv2
import numpy as np
import pytest
from pypdf import PdfReader

from fieldkit.camera import open_source
from fieldkit.camera.paperwork import form_page
from fieldkit.camera.scenes import Conditions, render_scene
from tests.unit.test_scan_session import still_a4_sheet

QR = "001090012345|123456789|Nguyễn Văn An|01021990|Nam|Số 5, ngõ 12, phường Trúc Bạch, Hà Nội|15082021"


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(9)
    truths = []
    for k in range(2):
        scene = render_scene(form_page(rng).image, (1280, 720), "wood", rng, Conditions(noise=2.0), fill=(0.8, 0.9))
        cv2.imwrite(str(folder / f"page{k}.jpg"), scene.image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        truths.append(scene.truth)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (folder / "empty.png").write_bytes(b"")
    cv2.imwrite(str(folder / "table.png"), np.full((480, 640, 3), (40, 80, 120), np.uint8))
    return folder, truths


def test_photos_to_pdf(run_cli, photos, tmp_path):
    folder, _ = photos
    out = tmp_path / "tờ khai.pdf"
    code, stdout, _ = run_cli(
        "scan", str(folder / "page0.jpg"), str(folder / "page1.jpg"), "-o", str(out), "--mode", "bw", "--json"
    )
    assert code == 0
    summary = json.loads(stdout)
    assert summary["pages"] == 2 and summary["bytes"] == out.stat().st_size and 40 < summary["dpi"] < 70
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert len(reader.pages) == 2
    assert float(reader.pages[0].mediabox.width) == pytest.approx(595.28, abs=0.1)


def test_paper_is_taken_from_the_option(run_cli, photos, tmp_path):
    folder, _ = photos
    out = tmp_path / "letter.pdf"
    assert run_cli("scan", str(folder / "page0.jpg"), "-o", str(out), "--paper", "letter")[0] == 0
    box = PdfReader(str(out)).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((612.0, 792.0), abs=0.1)


def test_a_page_not_shaped_like_the_chosen_paper_is_warned_about(run_cli, photos, tmp_path):
    folder, _ = photos
    out = tmp_path / "cccd.pdf"
    code, _, err = run_cli("--lang", "vi", "scan", str(folder / "page0.jpg"), "-o", str(out), "--paper", "id-card")
    assert code == 0 and out.exists()  # written all the same: the worker decides
    assert "page0.jpg" in err and "không có dáng khổ giấy đã chọn (Thẻ căn cước)" in err
    code, _, err = run_cli("scan", str(folder / "page0.jpg"), "-o", str(out), "--paper", "a4")
    assert code == 0 and "page0.jpg" not in err


def test_detect_only_json_lines_go_on_past_bad_images(run_cli, photos):
    folder, truths = photos
    names = ["page0.jpg", "broken.jpg", "empty.png", "missing.jpg", "table.png"]
    code, stdout, _ = run_cli("scan", "--detect-only", "--json", *[str(folder / n) for n in names])
    assert code == 0
    lines = [json.loads(line) for line in stdout.splitlines()]
    assert [line["image"] for line in lines] == [str(folder / n) for n in names]
    found = np.array(lines[0]["quad"])
    assert found.shape == (4, 2) and np.max(np.abs(found - truths[0])) < 6 and lines[0]["confidence"] > 0.5
    for line in lines[1:4]:
        assert line["quad"] is None and line["error"]
    assert "rỗng" in lines[2]["error"]  # the empty file says it is empty, in Vietnamese by default
    assert lines[4]["quad"] is None and "error" not in lines[4]


def test_a_phone_photo_stored_sideways_is_read_the_way_it_was_taken(run_cli, photos, tmp_path):
    """Phones store a photo taken upright as a sideways image plus an EXIF orientation; the corners are given
    in the picture as every viewer shows it (and as someone marking the page would see it)."""
    from PIL import Image

    folder, truths = photos
    upright = cv2.imread(str(folder / "page0.jpg"))
    sideways = cv2.rotate(upright, cv2.ROTATE_90_COUNTERCLOCKWISE)  # what the sensor stored
    exif = Image.Exif()
    exif[274] = 6  # "turn 90 degrees clockwise to view"
    photo = tmp_path / "dien-thoai.jpg"
    Image.fromarray(cv2.cvtColor(sideways, cv2.COLOR_BGR2RGB)).save(photo, quality=92, exif=exif)
    code, stdout, _ = run_cli("scan", "--detect-only", "--json", str(photo))
    assert code == 0
    found = np.array(json.loads(stdout)["quad"])
    assert np.max(np.abs(found - truths[0])) < 6


def test_an_iphone_heic_photo_is_read_upright(run_cli, photos, tmp_path):
    """HEIC, an iPhone's default: OpenCV cannot read it; through pillow-heif it is read already turned the way
    it was taken (the container's rotation applied, as with EXIF for a JPEG)."""
    pillow_heif = pytest.importorskip("pillow_heif")
    from PIL import Image

    pillow_heif.register_heif_opener()
    folder, truths = photos
    upright = cv2.imread(str(folder / "page0.jpg"))
    exif = Image.Exif()
    exif[274] = 6  # held upright, stored sideways
    photo = tmp_path / "IMG_0001.HEIC"
    sideways = cv2.rotate(upright, cv2.ROTATE_90_COUNTERCLOCKWISE)
    Image.fromarray(cv2.cvtColor(sideways, cv2.COLOR_BGR2RGB)).save(photo, "HEIF", quality=90, exif=exif.tobytes())
    assert cv2.imread(str(photo)) is None  # what OpenCV alone would have said
    code, stdout, _ = run_cli("scan", "--detect-only", "--json", str(photo))
    assert code == 0
    found = np.array(json.loads(stdout)["quad"])
    assert np.max(np.abs(found - truths[0])) < 6

    from fieldkit.camera import open_source

    with open_source(f"images:{tmp_path}") as source:  # a folder of iPhone photos as a frame source
        frame = source.read()
    assert frame is not None and frame.image.shape == upright.shape


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_turns_as_viewers_do(orientation):
    from PIL import Image, ImageOps

    from fieldkit.scanner.images import decode_image

    pixels = np.random.default_rng(orientation).integers(0, 255, (5, 8, 3), dtype=np.uint8)
    exif = Image.Exif()
    exif[274] = orientation
    stored = io.BytesIO()
    Image.fromarray(pixels).save(stored, "PNG", exif=exif)
    seen = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(stored.getvalue()))))
    assert np.array_equal(decode_image(stored.getvalue(), "x.png"), cv2.cvtColor(seen, cv2.COLOR_RGB2BGR))


def test_a_photo_with_no_page_found_keeps_its_own_shape_and_needs_no_kit(run_cli, photos, tmp_path, monkeypatch):
    """The whole photo becomes the page: not stretched to a paper, nor taken for an ID card because it is wide;
    and a PDF file from photos needs no kit (only attaching to a dossier does)."""
    folder, _ = photos
    monkeypatch.setenv("FIELDKIT_DATA_DIR", str(tmp_path / "no-kit-here"))
    out = tmp_path / "ca-tam-anh.pdf"
    code, _, err = run_cli("scan", str(folder / "table.png"), "-o", str(out), "--mode", "color")
    assert code == 0 and "dùng nguyên ảnh" in err
    box = PdfReader(str(out)).pages[0].mediabox
    width, height = float(box.width), float(box.height)
    assert width / height == pytest.approx(640 / 480, rel=0.01)  # the photo's proportions
    assert max(width, height) <= 842 + 0.5 and min(width, height) <= 595.3 + 0.5  # on A4


def test_a_corrupt_image_stops_a_pdf_run_with_one_clear_line(run_cli, photos, tmp_path):
    folder, _ = photos
    out = tmp_path / "x.pdf"
    code, _, stderr = run_cli(
        "--lang", "en", "scan", str(folder / "page0.jpg"), str(folder / "broken.jpg"), "-o", str(out)
    )
    assert code == 2 and not out.exists()
    assert len(stderr.strip().splitlines()) == 1 and "broken.jpg" in stderr and "not a readable image" in stderr


def test_the_demo_camera_with_auto_capture(run_cli, tmp_path):
    out = tmp_path / "demo.pdf"
    code, stdout, _ = run_cli("--lang", "en", "scan", "--source", "demo", "--auto", "--pages", "2", "-o", str(out))
    assert code == 0 and "Captured page 2/2" in stdout
    assert len(PdfReader(str(out)).pages) == 2


def test_capture_from_a_video_file_of_the_demo(run_cli, tmp_path):
    video = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 30, (640, 480))
    with open_source("demo", size=(640, 480), frames=120, seed=6) as source:
        for frame in source:
            writer.write(frame.image)
    writer.release()
    out = tmp_path / "video.pdf"
    code, _, _ = run_cli("scan", "--source", f"video:{video}", "--auto", "-o", str(out))
    assert code == 0 and len(PdfReader(str(out)).pages) == 1


def test_capture_of_an_outline_not_of_the_papers_shape_waits_longer_and_warns(run_cli, tmp_path):
    """A still A4 sheet filmed for an ID card: taken after the longer wait, with a warning naming the page."""
    video = tmp_path / "sheet.avi"
    sheet = still_a4_sheet()
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 30, (sheet.shape[1], sheet.shape[0]))
    for _ in range(150):  # five seconds
        writer.write(sheet)
    writer.release()
    out = tmp_path / "card.pdf"
    argv = ("--lang", "en", "scan", "--source", f"video:{video}", "--auto", "--paper", "id-card", "-o", str(out))
    code, stdout, stderr = run_cli(*argv)
    assert code == 0 and "Captured page 1/1" in stdout
    assert "Page 1: the outline found is not shaped like the chosen paper (ID card)" in stderr
    assert len(PdfReader(str(out)).pages) == 1


@pytest.mark.parametrize(
    ("argv", "key_text"),
    [
        (("scan", "-o", "x.pdf"), "No images"),
        (("scan", "a.jpg"), "-o"),
        (("scan", "--source", "demo", "-o", "x.pdf"), "--auto"),
        (("scan", "--source", "camera:57", "--auto", "-o", "x.pdf"), "Camera 57"),
        (("scan", "a.jpg", "--dossier", "abc"), "--slot"),
    ],
)
def test_usage_mistakes(run_cli, argv, key_text):
    code, _, stderr = run_cli("--lang", "en", *argv)
    assert code == 2 and key_text in stderr and len(stderr.strip().splitlines()) == 1


def test_scan_straight_into_a_dossier(run_cli, photos):
    folder, _ = photos
    assert run_cli("citizen", "add", "--qr-payload", QR)[0] == 0
    code, stdout, _ = run_cli("dossier", "new", "--procedure", "1.004873", "--citizen", "001090012345", "--json")
    uuid = json.loads(stdout)["uuid"]
    code, stdout, _ = run_cli("scan", str(folder / "page0.jpg"), "--dossier", uuid, "--slot", "TOKHAI", "--json")
    assert code == 0 and json.loads(stdout)["dossier"] == uuid
    shown = json.loads(run_cli("dossier", "show", uuid, "--json")[1])
    [document] = shown["documents"]
    assert document["slot"] == "TOKHAI" and document["pages"] == 1
