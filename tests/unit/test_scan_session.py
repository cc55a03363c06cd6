"""The capture session driven by the demo camera: auto-capture, manual capture, page operations, a camera
that fails mid-scan."""

import io
import itertools

import numpy as np
import pytest
from pypdf import PdfReader

from fieldkit.camera import CameraError, Frame, open_source
from fieldkit.camera.paperwork import form_page
from fieldkit.camera.scenes import Conditions, apply_conditions, place_page, plain, render_scene
from fieldkit.camera.sources import FrameSource
from fieldkit.core.errors import UserError
from fieldkit.scanner.enhance import Mode
from fieldkit.scanner.geometry import jaccard_in_document_frame
from fieldkit.scanner.pages import PageList
from fieldkit.scanner.paper import PAPERS
from fieldkit.scanner.pdf import build_pdf
from fieldkit.scanner.session import CaptureSession, CaptureSettings, OutlineTracker
from tests.unit.test_scan_nasty import a4_at, cream_page_on_lavender


class Detected:
    def __init__(self, quad, confidence=0.9):
        self.quad = np.asarray(quad, np.float32)
        self.confidence = confidence


SQUARE = np.array([[100, 100], [500, 100], [500, 600], [100, 600]], np.float32)


def test_demo_camera_to_pdf_with_auto_capture():
    session = CaptureSession(mode=Mode.GRAY)
    captured = []
    with open_source("demo", size=(960, 540), seed=2) as source:
        session.run(source, pages=2, max_frames=400, on_view=lambda v: v.captured and captured.append(v))
    assert len(session.pages) == 2
    for view in captured:  # captured while still, on the page
        assert view.steady >= 1.0 and view.sharp
        assert jaccard_in_document_frame(view.quad, view.frame.truth, (960, 540)) > 0.97
    assert captured[1].frame.index - captured[0].frame.index > 30  # not the same page twice in a row
    result = build_pdf(session.pages.rendered(), 10 * 2**20)
    reader = PdfReader(io.BytesIO(result.data))
    assert len(reader.pages) == 2
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (width, height) == pytest.approx((595.28, 841.89), abs=0.1)  # A4 told from the outline


def test_the_outline_is_smoothed_but_follows_a_real_move():
    tracker = OutlineTracker()
    rng = np.random.default_rng(0)
    raw, smooth = [], []
    for _ in range(30):
        jitter = SQUARE + rng.normal(0, 1.5, SQUARE.shape).astype(np.float32)
        raw.append(jitter)
        smooth.append(tracker.update(Detected(jitter), (1280, 720)).copy())
    raw_motion = np.mean([np.abs(a - b).mean() for a, b in zip(raw[1:], raw[:-1], strict=True)])
    smooth_motion = np.mean([np.abs(a - b).mean() for a, b in zip(smooth[11:], smooth[10:-1], strict=True)])
    assert smooth_motion < 0.6 * raw_motion
    moved = tracker.update(Detected(SQUARE + 200), (1280, 720))
    assert np.allclose(moved, SQUARE + 200)  # a real move is followed at once
    for _ in range(3):
        assert tracker.update(None, (1280, 720)) is not None  # a missed frame or two keeps the outline
    for _ in range(5):
        last = tracker.update(None, (1280, 720))
    assert last is None


def test_a_swap_to_another_outline_waits_for_the_next_frame_but_a_slide_is_followed():
    """On a pile of papers the search can swap between two outlines 40-90 px apart while the page lies still:
    the outline stays put (so it can hold still for auto-capture); a page being slid is followed a frame late."""
    tracker = OutlineTracker()
    size = (1280, 720)
    tracker.update(Detected(SQUARE), size)
    other = SQUARE + np.float32([45, 0])  # 0.03 of the diagonal: beyond noise, short of a jump
    for _ in range(6):  # A, B, A, B...: every B is held back
        assert np.allclose(tracker.update(Detected(other), size), SQUARE)
        assert not tracker.adopted
        assert np.allclose(tracker.update(Detected(SQUARE), size), SQUARE, atol=0.5)
    positions = [tracker.update(Detected(SQUARE + np.float32([40 * step, 0])), size)[0, 0] for step in range(1, 8)]
    assert positions[0] == pytest.approx(SQUARE[0, 0])  # the first step of the slide waits for the second
    assert positions[-1] > SQUARE[0, 0] + 200  # then the outline goes with the page
    assert all(b >= a for a, b in itertools.pairwise(positions))


def test_manual_capture_and_corners_by_hand():
    session = CaptureSession(settings=CaptureSettings(auto=False))
    with open_source("demo", size=(640, 480), frames=10, seed=1) as source:
        for frame in source:
            view = session.feed(frame)
            assert view.captured is None
    page = session.capture()
    assert page is not None and len(session.pages) == 1
    moved = page.with_corners(page.quad + np.array([5, 5], np.float32))
    assert not np.allclose(moved.quad, page.quad)
    session.pages.adjust(0, [[0, 0], [639, 0], [639, 479], [0, 479]])
    whole = session.pages[0].render()
    assert whole.pixels.shape[0] > 0


def test_manual_capture_without_a_page_takes_the_whole_frame():
    session = CaptureSession()
    session.settings.auto = False
    session.feed(Frame(np.full((240, 320, 3), 90, np.uint8), 0, 0.0))
    page = session.capture()
    assert page.confidence == 0.0 and page.quad[2].tolist() == [319, 239]


def test_page_operations(tmp_path):
    with open_source("demo", size=(640, 480), frames=1, seed=3) as source:
        frame = source.read()
    session = CaptureSession()
    session.settings.auto = False
    session.feed(frame)
    first = session.capture()
    second = session.capture()
    third = session.capture().with_mode(Mode.BW)
    pages = PageList([first, second])
    pages.add(third)
    pages.move(2, 0)
    assert pages[0] is third
    pages.rotate(1, 1)
    assert pages[1].turns == 1
    width, height = pages[1].render().size_mm
    assert width > height  # turned a quarter: the A4 page now lies landscape
    pages.retake(2, first.with_mode(Mode.COLOR))
    assert pages[2].mode is Mode.COLOR
    removed = pages.remove(0)
    assert removed is third and len(pages) == 2
    with pytest.raises(UserError) as caught:
        pages.remove(5)
    assert caught.value.message.key == "error.scan.no_such_page"


class FailingCamera(FrameSource):
    """The demo camera, unplugged after `fail_at` frames."""

    def __init__(self, fail_at):
        super().__init__()
        self.demo = open_source("demo", size=(640, 480), seed=5)
        self.fail_at = fail_at

    def _grab(self):
        if self._index >= self.fail_at:
            raise CameraError("error.camera.disconnected", name="camera:0")
        frame = self.demo.read()
        return frame.image, frame.truth

    def _timestamp(self):
        return self._index / 30.0


def test_a_camera_that_fails_mid_scan_keeps_the_pages():
    session = CaptureSession()
    with pytest.raises(CameraError):
        session.run(FailingCamera(fail_at=150), pages=5)
    assert len(session.pages) >= 1
    assert build_pdf(session.pages.rendered(), 10 * 2**20).pages == len(session.pages)


def test_the_demo_camera_shows_a_given_card_and_swaps_sample_pages():
    card = np.full((540, 856, 3), 230, np.uint8)  # what the QR reader passes: its own card image
    with open_source("demo:id-card", page=card, size=(640, 480), frames=3) as source:
        frame = source.read()
    tl, tr, _, bl = frame.truth
    assert np.linalg.norm(tr - tl) > np.linalg.norm(bl - tl)  # a card lies landscape
    with open_source("demo", size=(320, 240), frames=200) as source:
        frames = list(source)
    assert source.page_index(frames[10].timestamp) != source.page_index(frames[100].timestamp)
    assert frames[1].timestamp == pytest.approx(1 / 30)  # the demo keeps its own clock: deterministic


def test_an_unknown_demo_variant_is_a_clear_error():
    with pytest.raises(CameraError) as caught:
        open_source("demo:nothing")
    assert caught.value.message.key == "error.camera.bad_spec"


def test_a_page_only_the_last_look_finds_is_found_within_three_frames_of_a_live_view():
    """With no page in view, the detector's costliest look (lines of hue) is taken on every third frame only;
    a cream page on a lavender sheet, which only that look finds, is found on the third frame."""
    image, _ = cream_page_on_lavender(form_page(np.random.default_rng(31)).image, seed=0)
    session = CaptureSession(settings=CaptureSettings(auto=False))
    seen = [session.feed(Frame(image, k, k / 30)).quad is not None for k in range(4)]
    assert seen == [False, False, True, True]  # found on the third, followed on the fourth


def still_a4_sheet() -> np.ndarray:
    rng = np.random.default_rng(12)
    quad = a4_at((640, 360), 600, 4)
    return apply_conditions(place_page(form_page(rng).image, quad, plain(1280, 720, rng)), quad, Conditions(), rng)


def _first_capture(session: CaptureSession, image: np.ndarray, seconds: float = 6.0) -> tuple[float | None, list]:
    """Feed the same still frame 10 times a second; when the first page was captured, and every view."""
    views = []
    for k in range(int(seconds * 10)):
        view = session.feed(Frame(image, k, 0.1 * k, None))
        views.append(view)
        if view.captured is not None:
            return view.frame.timestamp, views
    return None, views


@pytest.mark.parametrize("paper", ["a4", None])
def test_an_outline_of_the_expected_shape_is_captured_after_the_usual_still_moment(paper):
    session = CaptureSession(paper=PAPERS.get(paper))
    taken, views = _first_capture(session, still_a4_sheet())
    assert taken is not None and taken <= 1.5
    assert not any(view.off_shape for view in views)


def test_a_page_lying_before_a_laptop_webcam_is_captured_as_its_paper():
    """A page on the table, seen 50 degrees off straight: foreshortened, no paper's shape as drawn. In the A4
    slot it is still taken after the usual still moment, not held back as off its paper's shape, and flattened
    at A4's aspect."""
    rng = np.random.default_rng(50)
    scene = render_scene(form_page(rng).image, (1280, 720), "wood", rng, Conditions(noise=2.0), tilt=50.0)
    session = CaptureSession(paper=PAPERS["a4"])
    taken, views = _first_capture(session, scene.image)
    assert taken is not None and taken <= 1.5
    assert not any(view.off_shape for view in views)
    assert jaccard_in_document_frame(views[-1].quad, scene.truth, (1280, 720)) > 0.95
    page = session.pages[0].render()
    assert page.paper == "a4" and page.size_mm == pytest.approx((210, 297), abs=0.5)
    height, width = page.pixels.shape[:2]
    assert height / width == pytest.approx(2**0.5, rel=0.01)


def test_an_outline_not_of_the_slots_paper_waits_longer_then_is_taken_and_marked():
    """An A4 sheet in the ID card's slot: maybe a card's blank part cut out by glare, maybe a photocopy of the
    card. The user is told (the view says off_shape) and has a few seconds to set it right; then it is taken."""
    session = CaptureSession(paper=PAPERS["id-card"])
    taken, views = _first_capture(session, still_a4_sheet())
    settings = session.settings
    assert taken is not None
    assert taken >= settings.steady_seconds + settings.off_shape_seconds
    assert taken <= settings.steady_seconds + settings.off_shape_seconds + 1.0
    assert all(view.off_shape for view in views[-30:])  # told all along the wait
    assert session.pages[0].off_shape  # and marked in the strip for a look
