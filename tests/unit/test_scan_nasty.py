"""Frames composed by hand, one hard thing each, as homes offer them: a checked cloth, a pile of other white
papers, a hand over a corner, a dim room, a lamp's glare, a pale tinted cloth nearly as light as the paper, a
certificate on tinted paper, a photocopied ID card on an A4 sheet, a certificate with a printed frame. Fixed
compositions (not the benchmark's random ones), so each case stays what it says."""

import cv2
import numpy as np
import pytest

from fieldkit.camera.paperwork import form_page, id_card, text_page
from fieldkit.camera.scenes import (
    Conditions,
    apply_conditions,
    contact_shadow,
    floral,
    newspaper,
    place_page,
    plain,
    wood,
)
from fieldkit.scanner.detect import PageDetector
from fieldkit.scanner.geometry import jaccard_in_document_frame, scale_quad
from fieldkit.scanner.paper import PAPERS, outline_aspect
from fieldkit.scanner.refine import refine_quad
from fieldkit.scanner.score import FEATURES, quad_features

SIZE = (1280, 720)


def a4_at(centre, height, angle_deg, tilt=0.0):
    h, w = height, height / 2**0.5
    half = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]], np.float32)
    half[:2, 0] *= 1.0 - tilt  # the far edge looks shorter
    a = np.radians(angle_deg)
    rotation = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], np.float32)
    return half @ rotation.T + np.array(centre, np.float32)


@pytest.fixture(scope="module")
def page():
    return form_page(np.random.default_rng(31)).image


def checked_cloth(cell, colour, angle_deg):
    ys, xs = np.mgrid[0 : SIZE[1], 0 : SIZE[0]].astype(np.float32)
    a = np.radians(angle_deg)
    u, v = xs * np.cos(a) + ys * np.sin(a), -xs * np.sin(a) + ys * np.cos(a)
    amount = (((u // cell) % 2) + ((v // cell) % 2))[..., None] / 2.0
    cloth = np.array([232, 236, 238], np.float32) * (1 - amount) + np.array(colour, np.float32) * amount
    return cloth.astype(np.uint8)


def found_share(image, truth):
    found = PageDetector().detect(image)
    return 0.0 if found is None else jaccard_in_document_frame(found.quad, truth, SIZE)


@pytest.mark.xfail(
    reason="known limitation: checks running within a degree of the page's sides make lines just inside and "
    "outside it that score as well as its own edges; the outline is found but one or two sides land on a check"
)
def test_a_page_on_a_blue_checked_cloth(page):
    rng = np.random.default_rng(1)
    truth = a4_at((640, 370), 620, 4, 0.05)
    table = contact_shadow(checked_cloth(26, (150, 90, 40), 3), truth, rng)
    image = apply_conditions(place_page(page, truth, table), truth, Conditions(light_gradient=0.2, noise=3), rng)
    assert found_share(image, truth) > 0.95


def test_a_page_on_a_pile_of_other_white_papers(page):
    """Was a known limitation (taken together with the sheets under it as one larger outline, whose sides are
    real paper edges too) until the learned page mask's second opinion (`page_mask.py`)."""
    rng = np.random.default_rng(2)
    table = wood(*SIZE, rng)
    others = [a4_at((420, 330), 600, -14), a4_at((900, 420), 640, 11)]
    for k, sheet in enumerate(others):
        blank = text_page(np.random.default_rng(40 + k)).image
        table = place_page(blank, sheet, contact_shadow(table, sheet, rng))
    truth = a4_at((660, 380), 600, 3, 0.04)
    image = place_page(page, truth, contact_shadow(table, truth, rng))
    image = apply_conditions(image, truth, Conditions(light_gradient=0.25, noise=3, jpeg_quality=85), rng)
    assert found_share(image, truth) > 0.95


def ruled_sheet(rng, angle_deg):
    """A wide ruled sheet (a printed list, a notebook) under the page, its print lines every 12 px at an angle."""
    table = wood(*SIZE, rng)
    sheet = a4_at((640, 360), 1100, angle_deg)
    inside = np.zeros(SIZE[::-1], np.uint8)
    cv2.fillConvexPoly(inside, sheet.astype(np.int32), 255)
    table[inside > 0] = (226, 230, 232)
    ruled = np.zeros_like(inside)
    a = np.radians(angle_deg)
    along, down = np.array([np.cos(a), np.sin(a)]), np.array([-np.sin(a), np.cos(a)])
    for offset in range(-800, 800, 12):
        middle = np.array([640.0, 360.0]) + offset * down
        ends = [tuple((middle + sign * 900 * along).astype(int)) for sign in (-1, 1)]
        cv2.line(ruled, ends[0], ends[1], 255, 1)
    table[(ruled > 0) & (inside > 0)] = (95, 95, 95)
    return table


# (the sheet's lines' angle, the page's turn from them, both in degrees; the page's shift right in pixels)
PLACEMENTS = [(0, 1, -60), (2, -2, -30), (-3, 2, 0), (5, 3, 30), (1, -1, 60), (-1, 0, 90)]


def page_on_ruled_sheet(page, seed):
    rng = np.random.default_rng(seed)
    lines, turn, shift = PLACEMENTS[seed]
    truth = a4_at((640 + shift, 370), 520, lines + turn, 0.04)
    image = place_page(page, truth, contact_shadow(ruled_sheet(rng, lines), truth, rng))
    return apply_conditions(image, truth, Conditions(light_gradient=0.2, noise=3, jpeg_quality=85), rng), truth


def runs_on_of(image, quad):
    detector = PageDetector()
    views = detector.views(image)
    return quad_features(views, scale_quad(quad, views.scale)[None])[0, FEATURES.index("runs_on")]


def test_print_lines_past_a_pages_corners_are_not_its_sides_running_on(page):
    """A page's side that runs on past its corners is the edge of something longer (a tile joint, a sheet under
    it). The print lines of a ruled sheet under the page run on past its corners too, but as a field of parallel
    lines, on and beside the side's line alike: that is texture, not the side going on."""
    image, truth = page_on_ruled_sheet(page, 0)
    assert runs_on_of(image, truth) < 0.1
    # The same outline drawn on tile joints, single lines that run on: judged as running on.
    floor = np.full((SIZE[1], SIZE[0], 3), 180, np.uint8)
    corners = a4_at((640, 360), 480, 0)
    for x in corners[:2, 0]:
        cv2.line(floor, (int(x), 0), (int(x), SIZE[1]), (90, 90, 90), 3)
    for y in corners[1:3, 1]:
        cv2.line(floor, (0, int(y)), (SIZE[0], int(y)), (90, 90, 90), 3)
    assert runs_on_of(floor, corners) > 0.5


def test_a_page_on_a_ruled_sheet_whose_lines_run_past_its_corners(page):
    """Found on every placement (0.89-0.99: a side may land on the print line beside it); before print lines
    stopped counting as the page's sides running on, the page lost to a part of the sheet on one of them (0.41)."""
    shares = [found_share(*page_on_ruled_sheet(page, seed)) for seed in range(len(PLACEMENTS))]
    assert min(shares) > 0.85


def test_a_hand_over_one_corner(page):
    rng = np.random.default_rng(3)
    truth = a4_at((640, 360), 600, -5)
    image = place_page(page, truth, contact_shadow(plain(*SIZE, rng), truth, rng))
    corner = truth[2]
    palm = (corner + np.array([[-40, -30], [90, -10], [140, 160], [-20, 150]], np.float32)).astype(np.int32)
    cv2.fillConvexPoly(image, palm, (120, 150, 205), cv2.LINE_AA)
    for k in range(3):  # fingers reaching onto the page
        start = corner + np.array([-10 - 28 * k, 10], np.float32)
        tip = start + np.array([-30, -110], np.float32)
        cv2.line(image, tuple(start.astype(int)), tuple(tip.astype(int)), (115, 145, 200), 22)
    image = apply_conditions(image, truth, Conditions(noise=3), rng)
    assert found_share(image, truth) > 0.95


def test_a_dim_room(page):
    rng = np.random.default_rng(4)
    truth = a4_at((620, 360), 560, 8, 0.06)
    image = place_page(page, truth, contact_shadow(wood(*SIZE, rng), truth, rng))
    dim = Conditions(exposure=0.35, light_gradient=0.3, noise=7, jpeg_quality=70)
    assert found_share(apply_conditions(image, truth, dim, rng), truth) > 0.95


def test_a_lamps_glare_on_the_page(page):
    rng = np.random.default_rng(5)
    truth = a4_at((640, 360), 600, -3)
    image = place_page(page, truth, contact_shadow(plain(*SIZE, rng), truth, rng))
    glare = Conditions(glare=0.8, noise=3)
    assert found_share(apply_conditions(image, truth, glare, rng), truth) > 0.95


def pale_cloth(colour):
    return np.full((SIZE[1], SIZE[0], 3), colour, np.uint8)


# Cloths nearly as light as the paper (239, 241, 245): a cream one whose brightness less colour equals the
# paper's, and a pink one whose every channel is within 10 levels of it.
CREAM, PINK = (230, 248, 255), (245, 235, 255)


@pytest.mark.parametrize("colour", [CREAM, PINK], ids=["cream", "pink"])
@pytest.mark.parametrize("seed", [0, 1])
def test_a_page_on_a_pale_tinted_cloth(page, colour, seed):
    rng = np.random.default_rng(seed)
    truth = a4_at((640, 360), 560, 7, 0.05)
    image = apply_conditions(place_page(page, truth, pale_cloth(colour)), truth, Conditions(noise=3), rng)
    assert found_share(image, truth) > 0.95


def sides_on_lines(lines, quad):
    """How many of the quad's sides lie on one of `lines` (within 2.5 pixels and 3 degrees)."""
    count = 0
    for k in range(4):
        a, b = quad[k], quad[(k + 1) % 4]
        along = (b - a) / np.linalg.norm(b - a)
        across = np.array([-along[1], along[0]])
        near = np.abs((lines.origin - a) @ across) < 2.5
        parallel = np.abs(lines.direction @ along) > np.cos(np.radians(3))
        count += bool(np.any(near & parallel))
    return count


def sides_seen(image, truth, second_look):
    """How many of the page's sides the first look at lines finds, and how many `second_look` (a PageDetector
    method giving Lines) finds."""
    detector = PageDetector()
    views = detector.views(image)
    small = truth * views.scale
    first = detector.lines(views)
    return (0 if first is None else sides_on_lines(first, small)), sides_on_lines(second_look(detector, views), small)


def test_sides_that_differ_from_the_cloth_in_colour_only_are_lines_of_colour(page):
    truth = a4_at((640, 360), 560, 7, 0.05)
    frame = place_page(page, truth, pale_cloth(CREAM))
    image = apply_conditions(frame, truth, Conditions(noise=3), np.random.default_rng(6))
    assert sides_seen(image, truth, PageDetector.colour_lines) == (0, 4)


def lavender_sheet(rng):
    """A lavender-white sheet with rows of grey print, filling the frame: as bright and as colourful as a cream
    page (brightness less colour and colourfulness equal), of the opposite hue."""
    sheet = np.empty((SIZE[1], SIZE[0], 3), np.uint8)
    sheet[:] = (250, 230, 250)
    for y in range(30, SIZE[1], 26):
        start = int(rng.integers(20, 200))
        cv2.line(sheet, (start, y), (start + int(rng.integers(300, 900)), y), (150, 140, 145), 2)
    return sheet


def cream_page_on_lavender(page, seed):
    """A cream copy of `page` on `lavender_sheet`: (frame, true corners)."""
    rng = np.random.default_rng(seed)
    truth = a4_at((640, 360), 300 + 30 * seed, 4 + 3 * seed, 0.05)
    image = place_page(tinted(page, (0.92, 0.98, 1.0)), truth, lavender_sheet(rng))
    return apply_conditions(image, truth, Conditions(noise=3, light_gradient=0.15), rng), truth


@pytest.mark.parametrize("seed", range(6))
def test_a_cream_page_on_a_lavender_sheet_differs_in_hue_alone(page, seed):
    """No brightness step at its sides (the first look finds none of them; the live view's test shows the
    second look finds no page either); the yellow-blue axis steps all round, and the page is found (0.99 or
    better on five placements; on one, 0.92, the top side lies along a print line of the sheet at a corner)."""
    image, truth = cream_page_on_lavender(page, seed)
    assert sides_seen(image, truth, lambda detector, views: detector.tone_lines(views)[1]) == (0, 4)
    assert found_share(image, truth) > 0.9


def tinted(page, tint):
    """The page printed on paper of `tint` (BGR factors)."""
    return (page.astype(np.float32) * np.array(tint, np.float32)).clip(0, 255).astype(np.uint8)


def tinted_certificate(page, tint):
    """The form printed on tinted paper with a patterned border, as a land-use certificate (sổ hồng) is."""
    certificate = tinted(page, tint)
    height, width = certificate.shape[:2]
    band = int(0.06 * width)
    ys, xs = np.mgrid[0:height, 0:width]
    from_edge = np.minimum(np.minimum(xs, width - 1 - xs), np.minimum(ys, height - 1 - ys))
    pattern = (from_edge < band) & (from_edge > band // 4) & ((np.sin(xs / 7.0) + np.sin(ys / 7.0)) > 0.8)
    certificate[pattern] = (certificate[pattern] * 0.7).astype(np.uint8)
    return certificate


@pytest.mark.parametrize("seed", [1, 2])
def test_a_pink_certificate_on_wood(page, seed):
    rng = np.random.default_rng(seed)
    truth = a4_at((640, 360), 560, 5 + 3 * seed, 0.05)
    certificate = tinted_certificate(page, (0.6, 0.55, 0.95))  # BGR: a deep pink
    image = place_page(certificate, truth, contact_shadow(wood(*SIZE, rng), truth, rng))
    image = apply_conditions(image, truth, Conditions(noise=3, light_gradient=0.2), rng)
    assert found_share(image, truth) > 0.95


@pytest.mark.parametrize("table", ["floral", "newspaper"])
@pytest.mark.parametrize("seed", [2, 5])
def test_a_pink_certificate_under_uneven_light_keeps_its_paper_credit(page, table, seed):
    """Under a lamp the pink's levels vary across the page by more than a fixed margin; its proportions do not.
    Judged by levels, such a page had no paper at all and was not found on these tables."""
    rng = np.random.default_rng(seed)
    truth = a4_at((640, 360), 560, 5 + 3 * seed, 0.05)
    certificate = tinted_certificate(page, (0.6, 0.55, 0.95))
    background = {"floral": floral, "newspaper": newspaper}[table](*SIZE, rng)
    image = place_page(certificate, truth, contact_shadow(background, truth, rng))
    image = apply_conditions(image, truth, Conditions(noise=3, light_gradient=0.35), rng)
    assert found_share(image, truth) > 0.95


def photocopied_id_card():
    """An A4 sheet with a grey photocopy of an ID card's two faces, as a copy of a CCCD is filed."""
    sheet = np.full((1754, 1240, 3), 245, np.uint8)
    card = cv2.cvtColor(cv2.cvtColor(id_card(np.random.default_rng(3)).image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    card = (cv2.resize(card, (1011, 638)).astype(np.float32) * 0.8).astype(np.uint8)  # 85.6 mm at 300 dpi
    for top in (150, 900):
        sheet[top : top + 638, 115 : 115 + 1011] = card
        cv2.rectangle(sheet, (115, top), (115 + 1010, top + 637), (60, 60, 60), 4)
    return sheet


@pytest.mark.parametrize("seed", [0, 1])
def test_a_photocopied_id_card_is_the_sheet_in_an_a4_slot_and_the_card_in_a_card_slot(seed):
    rng = np.random.default_rng(seed)
    truth = a4_at((640, 360), 560 + 20 * seed, -6 + 3 * seed)
    image = place_page(photocopied_id_card(), truth, contact_shadow(wood(*SIZE, rng), truth, rng))
    image = apply_conditions(image, truth, Conditions(noise=3, light_gradient=0.2), rng)
    detector = PageDetector()
    sheet = detector.detect(image, paper=PAPERS["a4"])
    assert jaccard_in_document_frame(sheet.quad, truth, SIZE) > 0.95
    card = detector.detect(image, paper=PAPERS["id-card"])
    assert abs(outline_aspect(card.quad) / PAPERS["id-card"].aspect - 1) < 0.05  # one of the printed faces


def framed_certificate(page, inset, thickness, double=False):
    """The form with a printed frame in red, `inset` of the page's width in from its edges and `thickness`
    wide, as certificates, diplomas and commendations (giấy khen) are printed; `double`: a thin second rule
    inside it."""
    framed = page.copy()
    height, width = framed.shape[:2]
    start, wide = int(inset * width), int(thickness * width)
    cv2.rectangle(framed, (start, start), (width - 1 - start, height - 1 - start), (40, 40, 165), wide)
    if double:
        rule = start + wide + int(0.01 * width)
        cv2.rectangle(framed, (rule, rule), (width - 1 - rule, height - 1 - rule), (40, 40, 165), 3)
    return framed


FRAMED = [  # (inset, thickness, double, table, framing): each one took a frame's edge for the page's before
    (0.06, 0.02, False, "wood", 0),
    (0.06, 0.02, False, "plain-light", 0),
    (0.05, 0.03, False, "plain-dark", 1),
    (0.03, 0.015, True, "wood", 0),
    (0.03, 0.015, True, "plain-dark", 2),
]
FRAMINGS = [a4_at((640, 370), 620, 4, 0.05), a4_at((600, 360), 520, -12, 0.08), a4_at((700, 380), 560, 25)]
TABLES = {"wood": wood, "plain-dark": plain, "plain-light": lambda w, h, rng: plain(w, h, rng, light=True)}


def framed_frame(page, inset, thickness, double, table, framing):
    """A framed certificate on a table, photographed: the frame and its true corners."""
    rng = np.random.default_rng(7 + framing)
    truth = FRAMINGS[framing]
    image = place_page(
        framed_certificate(page, inset, thickness, double), truth, contact_shadow(TABLES[table](*SIZE, rng), truth, rng)
    )
    return apply_conditions(image, truth, Conditions(noise=3, light_gradient=0.2, jpeg_quality=85), rng), truth


@pytest.mark.parametrize(("inset", "thickness", "double", "table", "framing"), FRAMED)
def test_a_certificate_with_a_printed_frame_is_found_by_its_paper_edge(page, inset, thickness, double, table, framing):
    image, truth = framed_frame(page, inset, thickness, double, table, framing)
    assert found_share(image, truth) > 0.97


def test_a_side_fitted_from_inside_a_printed_frame_moves_to_the_paper_edge_not_the_frame(page):
    """The fit reads profiles across each side; here their inner ends lie on the frame's print. The paper's edge
    is told by the page's own paper colour, not by what the profile starts on."""
    image, truth = framed_frame(page, 0.03, 0.01, False, "plain-light", 1)
    rough = truth + np.array([[1.0, 2.5], [-2.0, 1.5], [0.5, -1.0], [1.5, 0.5]], np.float32)  # off by 1-3 px
    fitted, support = refine_quad(image, rough, reach=12.8)
    assert np.abs(fitted - truth).max() < 1.5
    assert support > 0.8


@pytest.mark.parametrize(("table", "seed"), [("wood", 11), ("plain-dark", 12)])
def test_a_page_with_a_large_dark_photo_printed_on_it(page, table, seed):
    """A photo over half the page (a house for a building permit, a land plot): the page's paper is what is
    left around it, and the page is the whole sheet, not its blank lower part. (Found in 34 of 60 framings,
    against 20 before the paper's brightness was judged on the paper alone.)"""
    printed = page.copy()
    height, width = printed.shape[:2]
    cv2.rectangle(
        printed, (int(0.08 * width), int(0.12 * height)), (int(0.92 * width), int(0.57 * height)), (60, 40, 30), -1
    )
    rng = np.random.default_rng(seed)
    truth = FRAMINGS[0]
    image = place_page(printed, truth, contact_shadow(TABLES[table](*SIZE, rng), truth, rng))
    image = apply_conditions(image, truth, Conditions(noise=3, light_gradient=0.2, jpeg_quality=85), rng)
    assert found_share(image, truth) > 0.97


@pytest.mark.parametrize(("table", "blur"), [(222, 5.0), (228, 1.5), (228, 3.0)])
def test_sides_that_step_gently_are_faint_lines(page, table, blur):
    """White paper (about 240) on a surface nearly as light, out of focus: each pixel across a side steps by
    less than the first look at lines needs; the second look at fainter lines finds all four sides."""
    truth = a4_at((640, 360), 560, 7, 0.05)
    frame = place_page(page, truth, np.full((SIZE[1], SIZE[0], 3), table, np.uint8))
    image = apply_conditions(frame, truth, Conditions(noise=3, focus_blur=blur), np.random.default_rng(6))
    assert sides_seen(image, truth, PageDetector.faint_lines) == (0, 4)
    assert found_share(image, truth) > 0.97


def room_behind(rng):
    """What a laptop's webcam sees behind a page held up to it: a wall, a window, furniture, a shirt, a face."""
    height, width = SIZE[1], SIZE[0]
    room = np.zeros((height, width, 3), np.float32)
    room[:] = rng.uniform(150, 210, 3)
    window = int(rng.uniform(0, width * 0.6))
    room[: height // 2, window : window + width // 4] = 245
    furniture = tuple(float(c) for c in rng.uniform(40, 120, 3))
    cv2.rectangle(room, (int(width * 0.05), int(height * 0.55)), (int(width * 0.3), height), furniture, -1)
    shirt = tuple(float(c) for c in rng.uniform(20, 200, 3))
    cv2.ellipse(room, (width // 2, height + 100), (int(width * 0.35), int(height * 0.75)), 0, 180, 360, shirt, -1)
    cv2.circle(room, (width // 2, int(height * 0.12)), int(height * 0.16), (120, 150, 200), -1)
    return cv2.GaussianBlur(room, (0, 0), 3).astype(np.uint8)


def thumbs_over_the_sides(image, truth, rng):
    """Both hands holding the page up: a thumb over the middle of its left and right sides, the hand behind."""
    out = image.astype(np.float32)
    skin = np.array([rng.uniform(90, 150), rng.uniform(120, 170), rng.uniform(170, 225)], np.float32)
    for side in (1, 3):
        a, b = truth[side], truth[(side + 1) % 4]
        at = a + rng.uniform(0.35, 0.65) * (b - a)
        inward = (truth.mean(axis=0) - at) / np.linalg.norm(truth.mean(axis=0) - at)
        mask = np.zeros(image.shape[:2], np.float32)
        thumb = (tuple(int(v) for v in at - inward * 60), tuple(int(v) for v in at + inward * 35))
        cv2.line(mask, *thumb, 1.0, 26, cv2.LINE_AA)
        cv2.ellipse(mask, tuple(int(v) for v in at - inward * 90), (45, 70), 0, 0, 360, 1.0, -1)
        mask = cv2.GaussianBlur(mask, (0, 0), 1.5)[..., None]
        out = out * (1 - mask) + skin * mask
    return out.astype(np.uint8)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_page_held_up_to_a_laptops_webcam(page, seed):
    """A laptop's own webcam faces the user: the page is held up in both hands, thumbs over its sides, the room
    and the person behind it, the hands not quite still."""
    rng = np.random.default_rng(seed)
    truth = a4_at((640 + rng.uniform(-60, 60), 380), rng.uniform(560, 660), rng.uniform(-8, 8), rng.uniform(0, 0.06))
    image = thumbs_over_the_sides(place_page(page, truth, room_behind(rng)), truth, rng)
    held = Conditions(noise=4, light_gradient=0.3, jpeg_quality=80, motion_blur=float(rng.uniform(0, 4)))
    assert found_share(apply_conditions(image, truth, held, rng), truth) > 0.97


def test_a_side_beside_a_line_of_newspaper_print_is_fitted_to_the_paper_not_the_print(page):
    """A page on an opened newspaper, a line of its print running along each side 9 px out: the step
    from the newspaper's grey to the print is three times the step from the page's white to the grey. The
    page's edge is the step with the page's paper just inside it (the strongest step was taken before)."""
    truth = a4_at((640, 360), 560, 3, 0.04)
    sheet = np.full((SIZE[1], SIZE[0], 3), 195, np.uint8)
    centre = truth.mean(axis=0)
    for k in range(4):
        a, b = truth[k], truth[(k + 1) % 4]
        outward = (a + b) / 2 - centre
        normal = np.array([-(b - a)[1], (b - a)[0]]) / np.linalg.norm(b - a)
        normal *= np.sign(normal @ outward)
        ends = [tuple(round(v) for v in p + 11 * normal) for p in (a, b)]
        cv2.line(sheet, ends[0], ends[1], (60, 60, 60), 4)  # its nearer edge 9 px beyond the page's: in reach
    image = place_page(page, truth, sheet)
    conditions = Conditions(noise=3, focus_blur=1.0, jpeg_quality=85)
    image = apply_conditions(image, truth, conditions, np.random.default_rng(3))
    rough = truth + np.array([[1.0, 2.5], [-2.0, 1.5], [0.5, -1.0], [1.5, 0.5]], np.float32)  # off by 1-3 px
    fitted, support = refine_quad(image, rough, reach=12.8)
    assert np.abs(fitted - truth).max() < 1.5
    assert support > 0.8


def with_round_corners(card, corners, background):
    """The card placed with the rounded corners of a real one (ISO/IEC 7810 ID-1: 3.18 mm radius on 85.6 mm):
    the table shows where a square card would have its corners."""
    height, width = card.shape[:2]
    radius = round(width * 3.18 / 85.6)
    shape = np.zeros((height, width, 3), np.uint8)
    cv2.rectangle(shape, (radius, 0), (width - 1 - radius, height - 1), (255, 255, 255), -1)
    cv2.rectangle(shape, (0, radius), (width - 1, height - 1 - radius), (255, 255, 255), -1)
    for x, y in ((radius, radius), (width - 1 - radius, radius), (width - 1 - radius, height - 1 - radius),
                 (radius, height - 1 - radius)):  # fmt: skip
        cv2.circle(shape, (x, y), radius, (255, 255, 255), -1, cv2.LINE_AA)
    # The card's outline placed as the card is (the same warp), then the table let through outside it.
    cover = place_page(shape, corners, np.zeros_like(background)).astype(np.float32) / 255
    square = place_page(card, corners, background)
    return (square * cover + background * (1 - cover)).astype(np.uint8)


@pytest.mark.parametrize(("table", "angle", "seed"), [("wood", 8, 21), ("plain-dark", -15, 22), ("floral", 30, 23)])
def test_an_id_card_with_round_corners_is_found_by_its_sides(table, angle, seed):
    """A real chip ID card has round corners. Its corners are where its sides meet (as a person marking the
    photo would put them, and as the warp to 85.6 x 54 mm needs), not on the curve (its middle 6.5 px inside)."""
    rng = np.random.default_rng(seed)
    card = id_card(rng).image
    width = 420
    half = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float32) * [width / 2, width * 53.98 / 85.6 / 2]
    a = np.radians(angle)
    truth = half @ np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], np.float32).T + [640, 360]
    surface = {"wood": wood, "plain-dark": plain, "floral": floral}[table](*SIZE, rng)
    image = with_round_corners(card, truth.astype(np.float32), contact_shadow(surface, truth, rng))
    image = apply_conditions(image, truth, Conditions(noise=3, focus_blur=0.8, jpeg_quality=85), rng)
    found = PageDetector().detect(image, paper=PAPERS["id-card"])
    assert found is not None
    assert np.abs(np.float32(found.quad) - truth).max() < 3.0
