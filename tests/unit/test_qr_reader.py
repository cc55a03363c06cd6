"""Real decoding of generated pictures: webcam-like frames, odd pixel formats, and garbage that must not crash."""

import logging
import math
import sys
from contextlib import contextmanager

import cv2
import numpy as np
import pytest
import segno
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fieldkit.qr import QrReader
from fieldkit.qr.deblur import Deblurrer, line_kernel, motion_kernels
from fieldkit.qr.democard import render_qr
from fieldkit.qr.engines import ZbarEngine
from fieldkit.qr.image import MAX_SIDE, to_grey

CARD = "046158001234|191234567|Trần Thị Hoa|12031958|Nữ|Thôn Phú Lương, xã Phong Hiền, huyện Phong Điền|10052021"


@pytest.fixture(scope="module")
def reader():
    return QrReader.create()


@contextmanager
def fieldkit_warnings(caplog):
    """Capture FieldKit's warnings even after a CLI test pointed its logger at a file (propagate off)."""
    logger = logging.getLogger("fieldkit")
    level = logger.level
    logger.addHandler(caplog.handler)
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.removeHandler(caplog.handler)
        logger.setLevel(level)


def on_paper(code: np.ndarray, margin: int = 40, paper: int = 235) -> np.ndarray:
    """The code printed with some paper around it (grey)."""
    page = np.where(code > 127, paper, 30).astype(np.uint8)
    return cv2.copyMakeBorder(page, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=paper)


def scene(
    payload: str,
    *,
    module_px: float = 4.0,
    angle: float = 0.0,
    tilt: float = 0.0,
    at: tuple[float, float] = (640, 360),
    blur: float = 0.0,
    contrast: float = 1.0,
    glare: float = 0.0,
    noise: float = 3.0,
    jpeg: int | None = None,
    inverted: bool = False,
    eci: bool = False,
    seed: int = 0,
    size: tuple[int, int] = (1280, 720),
) -> tuple[np.ndarray, np.ndarray]:
    """A BGR webcam frame of the printed code, and the code's true corners (TL, TR, BR, BL) in it."""
    rng = np.random.default_rng(seed)
    master = 8
    # An inverted code keeps its own dark quiet zone around it.
    quiet = 4 if inverted else 0
    code = render_qr(payload, master, border=quiet, eci=eci)
    if inverted:
        code = 255 - code
    paper = on_paper(code, margin=6 * master)
    n = code.shape[0] - 2 * quiet * master
    scale = module_px / master
    w = h = paper.shape[0] * scale
    half = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]], np.float32)
    half[:2, 0] *= 1 - tilt  # the far edge looks shorter
    a = math.radians(angle)
    rotation = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]], np.float32)
    corners = half @ rotation.T + np.array(at, np.float32)
    side = paper.shape[0]
    homography = cv2.getPerspectiveTransform(
        np.array([[0, 0], [side, 0], [side, side], [0, side]], np.float32), corners
    )
    width, height = size
    table = cv2.GaussianBlur(rng.integers(60, 160, (height, width), dtype=np.uint8), (0, 0), 4)
    frame = cv2.warpPerspective(paper, homography, size, dst=table, borderMode=cv2.BORDER_TRANSPARENT)
    frame = frame.astype(np.float32)
    if glare:
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        frame += glare * np.exp(-((xs - at[0] - w / 8) ** 2 + (ys - at[1]) ** 2) / (2 * (w / 5) ** 2))
    frame = frame.mean() + (frame - frame.mean()) * contrast
    if blur:
        frame = cv2.GaussianBlur(frame, (0, 0), blur)
    frame += rng.normal(0, noise, frame.shape)
    frame = cv2.cvtColor(np.clip(frame, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
    if jpeg:
        frame = cv2.imdecode(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, jpeg])[1], cv2.IMREAD_COLOR)
    start = (6 + quiet) * master
    truth = np.array([[start, start], [start + n, start], [start + n, start + n], [start, start + n]], np.float32)
    return frame, cv2.perspectiveTransform(truth[None], homography)[0]


def test_a_code_is_read_with_its_text_format_and_corners(reader):
    frame, truth = scene(CARD, module_px=4)
    codes = reader.read(frame)
    assert [c.text for c in codes] == [CARD]
    assert codes[0].format == "QRCode"
    assert np.abs(np.array(codes[0].quad) - truth).max() < 4  # within a module
    assert codes[0].to_json()["quad"][0] == [round(codes[0].quad[0][0], 1), round(codes[0].quad[0][1], 1)]


@pytest.mark.parametrize(
    "conditions",
    [
        {"angle": 25, "tilt": 0.2},  # held at an angle, tilted away
        {"angle": 90},
        {"angle": 180, "eci": True},
        {"blur": 1.2},  # out of focus
        {"contrast": 0.3, "noise": 4},  # dim
        {"glare": 120.0},  # a lamp reflected on the card
        {"jpeg": 45},  # a webcam's MJPEG
        {"inverted": True},  # light modules on dark (some posters)
        {"module_px": 2.4, "at": (300, 200)},  # small and off-centre: the zoomed look
        {"module_px": 9, "blur": 2.5},  # close to the lens and out of focus: another scale
    ],
    ids=lambda c: ",".join(c),
)
def test_webcam_conditions(reader, conditions):
    frame, _ = scene(CARD, **conditions)
    assert [c.text for c in reader.read(frame)] == [CARD]


def smeared(frame: np.ndarray, length: float, degrees: float) -> np.ndarray:
    """The frame as a camera sees it when the card moves `length` pixels in direction `degrees` while the
    shutter is open: the average of the frame shifted along that path (no kernel of the reader's own)."""
    dx, dy = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    path = np.linspace(-(length - 1) / 2, (length - 1) / 2, int(length * 4))
    total = np.zeros(frame.shape, np.float32)
    for t in path:
        shift = np.float32([[1, 0, t * dx], [0, 1, t * dy]])
        total += cv2.warpAffine(frame.astype(np.float32), shift, frame.shape[1::-1], borderMode=cv2.BORDER_REFLECT)
    return np.clip(total / len(path), 0, 255).astype(np.uint8)


def test_a_code_smeared_by_a_moving_hand_is_read_from_a_still_but_not_retried_live(reader):
    sharp, _ = scene(CARD, module_px=3.6, angle=10, noise=0)
    noise = np.random.default_rng(0).normal(0, 3, sharp.shape)
    frame = np.clip(smeared(sharp, 7, 112.5) + noise, 0, 255).astype(np.uint8)
    codes = reader.read(frame)
    assert [(c.text, c.step) for c in codes] == [(CARD, "located")]
    # A live preview does not wait for it: the next, steadier frame is the better retry.
    assert all(c.step != "located" for c in QrReader.create().read(frame, budget_ms=1000))


def test_a_guessed_image_counts_only_when_another_guess_reads_the_same_text(reader):
    code = on_paper(render_qr(CARD, 4))
    blank = np.full(code.shape, 235, np.uint8)
    assert reader._confirmed(iter([(code, False), (blank, False)])) == []
    confirmed = reader._confirmed(iter([(code, False), (blank, True), (code, True)]))
    assert [found.text for found in confirmed] == [CARD]


@pytest.mark.parametrize("degrees", [0.0, 33.0, 90.0, 150.0])
def test_undoing_the_right_smear_brings_the_code_back_closer_to_sharp(degrees):
    sharp = on_paper(render_qr(CARD, 4))
    kernel = line_kernel(7, degrees)
    blurred = cv2.filter2D(sharp.astype(np.float32), -1, kernel, borderType=cv2.BORDER_REFLECT)
    blurred = np.clip(blurred + np.random.default_rng(1).normal(0, 2, blurred.shape), 0, 255).astype(np.uint8)
    deblurrer = Deblurrer(blurred)
    restored = deblurrer.undo(kernel)
    assert restored.shape == sharp.shape and restored.dtype == np.uint8
    error = lambda image: float(np.abs(image.astype(np.float32) - sharp).mean())  # noqa: E731
    assert error(restored) < 0.9 * error(blurred)
    # The direction matters: undoing a smear across the real one makes it worse, not better.
    assert error(deblurrer.undo(line_kernel(7, degrees + 90))) > error(restored)


def test_motion_kernels_are_smears_that_keep_brightness():
    for kernel in motion_kernels():
        assert kernel.sum() == pytest.approx(1.0, abs=1e-5) and kernel.min() >= 0
        rows, cols = np.nonzero(kernel > 0.02)
        assert max(np.ptp(rows), np.ptp(cols)) >= 3  # a line several pixels long, not a dot


def test_the_demo_camera_sees_the_sample_card(reader):
    from fieldkit.camera import open_source
    from fieldkit.qr.democard import DEMO_PAYLOAD, demo_card

    with open_source("demo", page=demo_card(), frames=6, seed=3) as source:
        texts = {c.text for frame in source for c in reader.read(frame.image)}
    assert texts == {DEMO_PAYLOAD}


def test_micro_qr_and_several_codes_in_one_still_image(reader):
    micro = segno.make_micro("1.004873")
    modules = np.pad(np.array(micro.matrix, np.uint8), 2)
    small = np.kron(np.where(modules > 0, 0, 255).astype(np.uint8), np.ones((8, 8), np.uint8))
    page = np.full((500, 900), 255, np.uint8)
    page[40 : 40 + small.shape[0], 40 : 40 + small.shape[1]] = small
    big = render_qr(CARD, 4)
    page[60 : 60 + big.shape[0], 400 : 400 + big.shape[1]] = big
    codes = {c.text: c.format for c in reader.read(page, exhaustive=True)}
    assert codes == {"1.004873": "MicroQRCode", CARD: "QRCode"}


def test_two_stickers_with_the_same_text_are_two_codes(reader):
    code = render_qr("1.004873", 5)
    page = np.full((400, 900), 255, np.uint8)
    page[50 : 50 + code.shape[0], 50 : 50 + code.shape[1]] = code
    page[150 : 150 + code.shape[0], 600 : 600 + code.shape[1]] = code
    codes = reader.read(page, exhaustive=True)
    assert [c.text for c in codes] == ["1.004873", "1.004873"]
    assert sorted(round(c.quad[0][0]) for c in codes) == [70, 620]


def test_zbar_alone_reads_and_places_codes_found_in_a_zoomed_region():
    zbar_only = QrReader(None, ZbarEngine.load())
    frame, truth = scene(CARD, module_px=2.6, at=(900, 500), seed=2)
    codes = zbar_only.read(frame)
    assert [c.text for c in codes] == [CARD]
    assert np.abs(np.array(codes[0].quad) - truth).max() < 6


def test_without_zbar_the_reader_uses_zxing_alone_and_says_so(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "pyzbar", None)  # as on a machine without libzbar
    monkeypatch.setitem(sys.modules, "pyzbar.wrapper", None)
    with fieldkit_warnings(caplog):
        reader = QrReader.create()
    assert reader.engines == ["zxing-cpp"]
    assert "zbar is not available" in caplog.text
    frame, _ = scene(CARD)
    assert [c.text for c in reader.read(frame)] == [CARD]


class FailingCall:
    """pyzbar's ctypes bindings with one zbar call made to raise, as zbar and pyzbar do on some codes."""

    def __init__(self, name: str, error: Exception) -> None:
        from pyzbar import wrapper

        self._wrapper, self._name, self._error = wrapper, name, error

    def __getattr__(self, attr):
        if attr == self._name:

            def fail(*args):
                raise self._error

            return fail
        return getattr(self._wrapper, attr)


def test_zbar_never_asks_for_the_orientation_that_makes_pyzbar_raise():
    engine = ZbarEngine(FailingCall("zbar_symbol_get_orientation", ValueError("not a valid ZBarOrientation")))
    assert [f.text for f in engine.read(render_qr(CARD, 4))] == [CARD]


def test_a_zbar_failure_is_logged_and_reads_as_nothing(caplog):
    engine = ZbarEngine(FailingCall("zbar_scan_image", ValueError("zbar broke")))
    with fieldkit_warnings(caplog):
        assert engine.read(render_qr(CARD, 4)) == []
    assert "zbar failed" in caplog.text and CARD not in caplog.text


# -- every kind of picture ----------------------------------------------------------------------------------


def flat_code(payload: str = "1.004873.000.00.00.H14", module_px: int = 6) -> np.ndarray:
    return on_paper(render_qr(payload, module_px, border=0), margin=4 * module_px, paper=255)


@pytest.mark.parametrize(
    "convert",
    [
        lambda g: g.astype(np.uint16) * 257,  # 16-bit
        lambda g: g.astype(np.uint16) * 16,  # 12-bit data in 16-bit words
        lambda g: g.astype(np.float32) / 255.0,  # float 0..1
        lambda g: np.where(g > 127, np.nan, -3.5),  # float with NaN, negative
        lambda g: g.astype(np.float64) * 1000.0,  # float out of range
        lambda g: g[:, :, None],  # one channel, 3-D
        lambda g: np.dstack([g, np.full_like(g, 255)]),  # grey + alpha
        lambda g: cv2.cvtColor(g, cv2.COLOR_GRAY2RGBA),  # opaque BGRA
        lambda g: np.dstack([np.zeros_like(g)] * 3 + [255 - g]),  # black ink on a transparent sheet
        lambda g: g > 127,  # bool
        lambda g: g.astype(np.int32) - 128,  # signed
        lambda g: np.ascontiguousarray(np.fliplr(g))[:, ::-1],  # a non-contiguous view
        lambda g: cv2.cvtColor(g, cv2.COLOR_GRAY2BGR)[None],  # a batch of one
        lambda g: cv2.imencode(".png", g)[1].tobytes(),  # encoded file bytes
        lambda g: cv2.imencode(".png", g.astype(np.uint16) * 257)[1].tobytes(),  # 16-bit PNG
    ],
    ids=[
        "uint16",
        "12bit",
        "float01",
        "nan",
        "float-range",
        "1ch",
        "grey-alpha",
        "bgra",
        "transparent",
        "bool",
        "int32",
        "view",
        "batch",
        "png-bytes",
        "png16-bytes",
    ],
)
def test_every_pixel_format_is_read(reader, convert):
    assert [c.text for c in reader.read(convert(flat_code()))] == ["1.004873.000.00.00.H14"]


def test_a_huge_image_is_shrunk_and_the_corners_still_point_at_the_code(reader):
    code = flat_code(module_px=12)
    huge = np.full((MAX_SIDE + 2000, MAX_SIDE + 1000), 255, np.uint8)
    huge[3000 : 3000 + code.shape[0], 2500 : 2500 + code.shape[1]] = code
    codes = reader.read(huge)
    assert [c.text for c in codes] == ["1.004873.000.00.00.H14"]
    xs = [p[0] for p in codes[0].quad]
    assert 2500 < min(xs) < max(xs) < 2500 + code.shape[1]


@pytest.mark.parametrize(
    "picture",
    [
        b"",
        b"\x89PNG\r\n\x1a\n broken",
        b"GIF89a",
        np.zeros((0, 0), np.uint8),
        np.zeros((5, 5), np.uint8),
        np.zeros((100,), np.uint8),
        np.zeros((3, 100, 100, 3), np.uint8),
        np.array(["text"]),
        np.zeros((50, 50), np.complex64),
        np.full((64, 64), np.inf),
        np.zeros((64, 64, 7), np.uint8),
        None,
        "a path is not a picture",
    ],
    ids=repr,
)
def test_nothing_to_read_is_an_empty_list(reader, picture):
    assert reader.read(picture) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_never_crash(reader, data):
    assert isinstance(reader.read(data), list)


@pytest.mark.filterwarnings("error::RuntimeWarning")  # no overflow or NaN arithmetic on any pixel values
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    hnp.arrays(
        dtype=st.sampled_from([np.uint8, np.uint16, np.int8, np.float32, np.float64, np.bool_]),
        shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=70),
    )
)
def test_arbitrary_arrays_never_crash(reader, caplog, array):
    with fieldkit_warnings(caplog):
        assert isinstance(reader.read(array, exhaustive=True), list)
    assert "failed" not in caplog.text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(1, 60), st.integers(1, 30000), st.booleans(), st.integers(0, 255))
def test_strips_and_slivers_of_any_size_never_crash(reader, caplog, short, long, tall, value):
    shape = (long, short) if tall else (short, long)
    image = np.random.default_rng(value).integers(0, 256, shape, dtype=np.uint8)
    with fieldkit_warnings(caplog):
        assert isinstance(reader.read(image, exhaustive=True), list)
    assert "failed" not in caplog.text  # no step needed the reader's last safety net


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=0, max_size=3000), st.integers(0, 3))
def test_corrupted_image_files_never_crash(reader, noise, cut):
    good = cv2.imencode(".jpg", flat_code())[1].tobytes()
    damaged = good[: len(good) * (cut + 1) // 5] + noise
    assert isinstance(reader.read(damaged), list)


def test_to_grey_keeps_geometry_and_range():
    grey = to_grey(np.full((40, 60, 3), 200, np.uint8))
    assert grey.pixels.shape == (40, 60) and grey.scale == 1.0 and grey.pixels.dtype == np.uint8
    assert to_grey(np.linspace(0, 1, 40 * 40, dtype=np.float32).reshape(40, 40)).pixels.max() == 255
