"""Synthetic camera scenes: a paper on a table, seen by a cheap webcam in a home.

Backgrounds of many kinds (wood, patterned cloths, tiles, a pile of other papers, a cluttered desk...), the
page placed with a random perspective, then what real photographs suffer: uneven light, a shadow, glare, a
hand on the page, motion or focus blur, sensor noise and JPEG compression. The true corners are exact.

Used by the demo camera (live, so it must be fast) and by the scanner's benchmark. It knows nothing about how
the scanner finds pages, and must not: a detector tuned to these pictures would fail on real ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

Rng = np.random.Generator


# -- backgrounds -------------------------------------------------------------------------------------------


def _smooth_noise(width: int, height: int, rng: Rng, cell: int) -> np.ndarray:
    small = rng.random((max(2, height // cell + 2), max(2, width // cell + 2))).astype(np.float32)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)


def wood(width: int, height: int, rng: Rng) -> np.ndarray:
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    noise = cv2.resize(rng.random((height // 16 + 1, width // 2 + 1)).astype(np.float32), (width, height))
    period = rng.uniform(6, 14)
    grain = np.sin((ys / period) + 6.0 * np.sin(xs / rng.uniform(90, 200)) + 4.0 * noise) * 0.5 + 0.5
    base = np.array([rng.uniform(40, 90), rng.uniform(80, 130), rng.uniform(120, 190)], np.float32)
    texture = base[None, None, :] * (0.7 + 0.45 * grain[..., None])
    if rng.random() < 0.5:
        texture = np.ascontiguousarray(np.transpose(cv2.resize(texture, (height, width)), (1, 0, 2)))
    return np.clip(texture, 0, 255).astype(np.uint8)


def gingham(width: int, height: int, rng: Rng) -> np.ndarray:
    """A checked table cloth: white and a colour, with the half-tone where stripes cross."""
    cell = int(rng.integers(max(8, width // 60), max(12, width // 18)))
    colour = np.array([rng.uniform(20, 200), rng.uniform(20, 160), rng.uniform(60, 230)], np.float32)
    ys, xs = np.mgrid[0:height, 0:width]
    angle = rng.uniform(-0.6, 0.6)
    u = xs * math.cos(angle) + ys * math.sin(angle)
    v = -xs * math.sin(angle) + ys * math.cos(angle)
    a = ((u // cell) % 2).astype(np.float32)
    b = ((v // cell) % 2).astype(np.float32)
    amount = (a + b)[..., None] / 2.0
    white = np.array([235, 238, 240], np.float32)
    cloth = white * (1 - amount) + colour * amount
    return np.clip(cloth * (0.9 + 0.1 * _smooth_noise(width, height, rng, 3)[..., None]), 0, 255).astype(np.uint8)


def floral(width: int, height: int, rng: Rng) -> np.ndarray:
    """A printed cloth: blossoms and leaves in bright colours on a coloured or pale ground."""
    ground = rng.uniform(120, 240, 3)
    cloth = np.empty((height, width, 3), np.uint8)
    cloth[:] = ground.astype(np.uint8)
    for _ in range(int(width * height / 2500)):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        r = int(rng.integers(max(3, width // 150), max(6, width // 40)))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.6:
            for k in range(5):
                a = k * 2 * math.pi / 5
                cv2.circle(cloth, (int(x + r * math.cos(a)), int(y + r * math.sin(a))), max(2, r // 2), colour, -1)
        else:
            cv2.ellipse(cloth, (x, y), (r, max(1, r // 3)), float(rng.uniform(0, 180)), 0, 360, colour, -1)
    return cv2.GaussianBlur(cloth, (3, 3), 0)


def plain(width: int, height: int, rng: Rng, light: bool = False) -> np.ndarray:
    """A plain table: dark (lacquer, a dark cloth) or light (a white laminate: the page barely stands out)."""
    base = rng.uniform(170, 215, 3) if light else rng.uniform(25, 110, 3)
    if light:
        base = base.mean() + (base - base.mean()) * 0.3
    texture = base[None, None, :] * (0.93 + 0.14 * _smooth_noise(width, height, rng, 40)[..., None])
    return np.clip(texture, 0, 255).astype(np.uint8)


def tiles(width: int, height: int, rng: Rng) -> np.ndarray:
    """A tiled floor or a glass table over tiles: strong straight lines that are not the page."""
    cell = int(rng.integers(max(30, width // 10), max(40, width // 4)))
    base = rng.uniform(120, 220, 3)
    floor = np.empty((height, width, 3), np.float32)
    floor[:] = base
    floor *= (0.85 + 0.3 * _smooth_noise(width, height, rng, 25))[..., None]
    grout = tuple(float(c) for c in base * 0.55)
    offset = int(rng.integers(0, cell))
    for x in range(offset, width, cell):
        cv2.line(floor, (x, 0), (x, height), grout, max(2, cell // 25))
    for y in range(offset, height, cell):
        cv2.line(floor, (0, y), (width, y), grout, max(2, cell // 25))
    return np.clip(floor, 0, 255).astype(np.uint8)


def carpet(width: int, height: int, rng: Rng) -> np.ndarray:
    base = rng.uniform(60, 200, 3)
    fibres = rng.normal(0, 1, (height, width)).astype(np.float32)
    fibres = cv2.GaussianBlur(fibres, (0, 0), 1.2)
    texture = base[None, None, :] * (
        0.85 + 0.6 * fibres[..., None] * 0.5 + 0.15 * _smooth_noise(width, height, rng, 30)[..., None]
    )
    return np.clip(texture, 0, 255).astype(np.uint8)


def newspaper(width: int, height: int, rng: Rng) -> np.ndarray:
    """An opened newspaper under the page: grey paper covered in columns of print."""
    sheet = np.full((height, width, 3), rng.uniform(175, 215), np.float32)
    line = max(3, height // 90)
    col = max(40, width // 5)
    for x0 in range(int(rng.integers(0, col)) - col, width, col):
        for y in range(0, height, line * 2):
            if rng.random() < 0.9:
                length = int(col * rng.uniform(0.5, 0.9))
                cv2.line(sheet, (x0 + 4, y), (x0 + length, y), (70, 70, 70), max(1, line // 2))
    return np.clip(cv2.GaussianBlur(sheet, (3, 3), 0), 0, 255).astype(np.uint8)


def paper_pile(width: int, height: int, rng: Rng) -> np.ndarray:
    """Other papers strewn on the table: white sheets with print, the hardest neighbours a page can have."""
    table = wood(width, height, rng) if rng.random() < 0.5 else plain(width, height, rng)
    for _ in range(int(rng.integers(3, 7))):
        w, h = rng.uniform(0.3, 0.7) * width, rng.uniform(0.4, 0.9) * height
        centre = (rng.uniform(0, width), rng.uniform(0, height))
        box = cv2.boxPoints((centre, (w, h), rng.uniform(-40, 40))).astype(np.int32)
        shade = rng.uniform(200, 250)
        cv2.fillConvexPoly(table, box, (shade - rng.uniform(0, 10), shade - rng.uniform(0, 10), shade), cv2.LINE_AA)
        mask = np.zeros((height, width), np.uint8)
        cv2.fillConvexPoly(mask, box, 255)
        lines = np.zeros_like(mask)
        step = max(4, height // 60)
        for y in range(0, height, step):
            if rng.random() < 0.7:
                cv2.line(lines, (int(rng.uniform(0, width / 3)), y), (int(rng.uniform(width / 2, width)), y), 255, 1)
        table[(lines > 0) & (mask > 0)] = (90, 90, 90)
    return table


def clutter(width: int, height: int, rng: Rng) -> np.ndarray:
    """A desk with things on it: a keyboard's edge, a mug, pens, a phone."""
    desk = plain(width, height, rng, light=bool(rng.random() < 0.4))
    for _ in range(int(rng.integers(4, 9))):
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        kind = rng.random()
        if kind < 0.35:
            cv2.circle(desk, (x, y), int(rng.integers(width // 30, width // 10)), colour, -1, cv2.LINE_AA)
        elif kind < 0.7:
            angle = rng.uniform(0, math.pi)
            length = rng.uniform(0.1, 0.3) * width
            end = (int(x + length * math.cos(angle)), int(y + length * math.sin(angle)))
            cv2.line(desk, (x, y), end, colour, int(rng.integers(3, max(4, width // 120))), cv2.LINE_AA)
        else:
            box = cv2.boxPoints(
                ((x, y), (rng.uniform(0.05, 0.3) * width, rng.uniform(0.05, 0.2) * height), rng.uniform(0, 90))
            ).astype(np.int32)
            cv2.fillConvexPoly(desk, box, colour, cv2.LINE_AA)
    return desk


BACKGROUNDS: dict[str, Callable[[int, int, Rng], np.ndarray]] = {
    "wood": wood,
    "gingham-cloth": gingham,
    "floral-cloth": floral,
    "plain-dark": plain,
    "plain-light": lambda w, h, rng: plain(w, h, rng, light=True),
    "tiles": tiles,
    "carpet": carpet,
    "newspaper": newspaper,
    "paper-pile": paper_pile,
    "cluttered-desk": clutter,
}


# -- placing the page --------------------------------------------------------------------------------------


def random_corners(page_aspect: float, size: tuple[int, int], rng: Rng, fill: tuple[float, float] = (0.35, 0.85)):
    """Where a page (height/width = page_aspect) lands in a frame: a random size, turn, tilt and place, all of
    it inside the frame (as on a scanner's screen, where the user fits the page)."""
    width, height = size
    for _ in range(100):
        cover = rng.uniform(*fill)  # the page's height over the frame's, before the tilt
        h = cover * height if page_aspect >= 1 else cover * height * 0.8
        w = h / page_aspect
        if page_aspect < 1:  # a landscape card
            w = min(w, 0.85 * width)
            h = w * page_aspect
        half = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]], np.float32)
        angle = math.radians(rng.normal(0, 8.0))
        rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]], np.float32)
        corners = half @ rotation.T
        # A perspective tilt: the side nearer the camera looks longer.
        tilt_x, tilt_y = rng.normal(0, 0.06), rng.normal(0, 0.08)
        corners[:, 0] *= 1.0 + tilt_y * np.sign(corners[:, 1]) * 0.5 * (1 + 0.0)
        corners[:, 1] *= 1.0 + tilt_x * np.sign(corners[:, 0]) * 0.5
        corners += rng.normal(0, 0.012 * h, corners.shape).astype(np.float32)
        centre = np.array([rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height], np.float32)
        corners += centre
        margin = 0.02 * min(width, height)
        inside = (corners[:, 0] > margin).all() and (corners[:, 0] < width - margin).all()
        if inside and (corners[:, 1] > margin).all() and (corners[:, 1] < height - margin).all():
            return corners.astype(np.float32)
    raise RuntimeError("no placement found")  # only with absurd sizes


# A typical laptop webcam sees about 65 degrees across (the detector assumes the same: paper.py).
WEBCAM_FOCAL_PER_WIDTH = 0.78


def tilted_corners(
    page_aspect: float,
    size: tuple[int, int],
    tilt: float,
    rng: Rng,
    fill: tuple[float, float] | None = None,
    focal_per_width: float = WEBCAM_FOCAL_PER_WIDTH,
) -> np.ndarray:
    """Where a page (height/width = page_aspect) lands when a pinhole camera sees it `tilt` degrees from
    straight on, about a random axis: its far side shorter and the whole page foreshortened, as a page lying on
    the table looks to a laptop's webcam. (`random_corners` only leans the sides, for the small tilts of a page
    held up to the camera.) A random size (`fill`: the page's height over the frame's before the tilt), turn
    and place, all of it inside the frame."""
    width, height = size
    focal = focal_per_width * width
    fill = fill or (0.4, 0.8)
    for _ in range(200):
        w, h = 1.0, page_aspect
        page = np.array([[-w / 2, -h / 2, 0], [w / 2, -h / 2, 0], [w / 2, h / 2, 0], [-w / 2, h / 2, 0]])
        turn = math.radians(rng.normal(0, 8.0))
        spin = np.array([[math.cos(turn), -math.sin(turn), 0], [math.sin(turn), math.cos(turn), 0], [0, 0, 1]])
        heading = rng.uniform(0, 2 * math.pi)  # the axis the page leans about, in the picture's plane
        axis = np.array(
            [[0, 0, math.sin(heading)], [0, 0, -math.cos(heading)], [-math.sin(heading), math.cos(heading), 0]]
        )
        lean = np.eye(3) + math.sin(math.radians(tilt)) * axis + (1 - math.cos(math.radians(tilt))) * axis @ axis
        points = page @ spin.T @ lean.T
        cover = rng.uniform(*fill)
        depth = focal * h / (cover * height) if page_aspect >= 1 else focal * w / (cover * 0.8 * width)
        # Moved within its own plane's depth to where it shows (not shifted in the picture afterwards, which no
        # camera does): the picture's centre stays the camera's axis.
        offset = np.array([rng.uniform(-0.15, 0.15) * width, rng.uniform(-0.15, 0.15) * height])
        points += np.array([*(offset * depth / focal), depth])
        corners = focal * points[:, :2] / points[:, 2:3] + np.array([width, height]) / 2.0
        margin = 0.02 * min(width, height)
        if (corners > margin).all() and (corners < np.array([width, height]) - margin).all():
            return corners.astype(np.float32)
    raise RuntimeError("no placement found")  # only with absurd sizes


SIDES = ("top", "right", "bottom", "left")


def run_out(corners: np.ndarray, size: tuple[int, int], side: str, share: float) -> np.ndarray:
    """The corners slid towards one side of the frame until `share` of the frame's height (top, bottom) or
    width (left, right) of the page lies beyond it: a sheet held too close to a fixed webcam."""
    width, height = size
    moved = corners.astype(np.float32).copy()
    if side == "top":
        moved[:, 1] -= moved[:, 1].min() + share * height
    elif side == "bottom":
        moved[:, 1] += (height - 1 - moved[:, 1].max()) + share * height
    elif side == "left":
        moved[:, 0] -= moved[:, 0].min() + share * width
    else:
        moved[:, 0] += (width - 1 - moved[:, 0].max()) + share * width
    return moved


def place_page(page: np.ndarray, corners: np.ndarray, background: np.ndarray, bow: float = 0.0) -> np.ndarray:
    """The page drawn into the background with its corners at `corners`. `bow`: the sheet is not flat (held in
    hand, lifting off the table, fresh from a folder): its top and bottom sides curve by this share of its
    height at their middles, its corners staying where they are."""
    ph, pw = page.shape[:2]
    source = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    # Pixel-edge convention: the page's outer edge lands exactly on the corners.
    homography = cv2.getPerspectiveTransform(source - 0.5, corners)
    frame = background.copy()
    flags = cv2.INTER_AREA if pw > 2 * (corners[1, 0] - corners[0, 0]) else cv2.INTER_LINEAR
    size = (frame.shape[1], frame.shape[0])
    if not bow:
        cv2.warpPerspective(page, homography, size, dst=frame, borderMode=cv2.BORDER_TRANSPARENT, flags=flags)
        return frame
    xs, source_y, pad = _bow_maps(ph, pw, bow)
    # The bowed sheet lies on a canvas pad rows taller above and below the page: place the canvas so the
    # page's own rows land where a flat page's would. The page and its cover (where the sheet is) bow alike.
    shifted = homography @ np.array([[1, 0, 0], [0, 1, -pad], [0, 0, 1]], np.float64)
    sheet, cover = (
        cv2.warpPerspective(
            cv2.remap(image, xs, source_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0),
            shifted,
            size,
            flags=flags,
        )
        for image in (page, np.full((ph, pw), 255, np.uint8))
    )
    cover = cover.astype(np.float32)[..., None] / 255.0
    return (sheet * cover + frame * (1.0 - cover)).astype(np.uint8)


def _bow_maps(height: int, width: int, bow: float) -> tuple[np.ndarray, np.ndarray, int]:
    """Remap maps that move each column of a height x width image down by bow * height * sin(pi * x / width)
    (a sheet curving between its left and right sides), onto a canvas `pad` rows taller at the top and the
    bottom; and pad."""
    shift = bow * height
    pad = int(np.ceil(abs(shift))) + 2
    ys, xs = np.mgrid[0 : height + 2 * pad, 0:width].astype(np.float32)
    return xs, ys - pad - shift * np.sin(np.pi * (xs + 0.5) / width), pad


# A4's diagonal over an ID card's: the size of A4 sheets under a card, against the card (`Stack.scale`).
A4_OVER_CARD = math.hypot(210, 297) / math.hypot(85.6, 54)


@dataclass(frozen=True)
class Stack:
    """Printed sheets lying under the page, as a citizen's papers lie on the table with the one to scan on top."""

    sheets: Sequence[np.ndarray]
    scale: float = 1.0  # the sheets' size over the page's (diagonals): 1 for pages on pages, 3.6 for a card on A4


def stack_under(background: np.ndarray, corners: np.ndarray, stack: Stack, rng: Rng) -> np.ndarray:
    """The background with the stack's sheets where the page will lie (`corners`): each of its own shape, turned
    up to 25 degrees from the page and shifted up to a third of the page's diagonal, so their edges and print
    show round the page and run under it."""
    centre = corners.mean(axis=0)
    diagonal = float(np.linalg.norm(corners[2] - corners[0]))
    top = corners[1] - corners[0]
    heading = math.atan2(float(top[1]), float(top[0]))
    for sheet in stack.sheets:
        height, width = sheet.shape[:2]
        size = stack.scale * diagonal * rng.uniform(0.95, 1.2) / math.hypot(width, height)
        half = np.array([[-width, -height], [width, -height], [width, height], [-width, height]], np.float32) * size / 2
        angle = heading + math.radians(rng.uniform(-25, 25))
        rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]], np.float32)
        placed = (half @ rotation.T + centre + rng.uniform(-0.35, 0.35, 2) * diagonal).astype(np.float32)
        background = place_page(sheet, placed, contact_shadow(background, placed, rng))
    return background


def contact_shadow(background: np.ndarray, corners: np.ndarray, rng: Rng) -> np.ndarray:
    """The thin soft shadow a sheet casts on what it lies on (paper is never perfectly flat and the light
    comes from one side): darker just outside one or two of the page's edges."""
    height, width = background.shape[:2]
    scale = height / 720.0
    offset = rng.normal(0, 2.0 * scale, 2).astype(np.float32)
    mask = page_mask(corners + offset, (width, height)).astype(np.float32) / 255.0
    mask = cv2.GaussianBlur(mask, (0, 0), max(0.8, float(rng.uniform(1.0, 3.0)) * scale))
    strength = float(rng.uniform(0.08, 0.35))
    return (background.astype(np.float32) * (1.0 - strength * mask)[..., None]).astype(np.uint8)


def page_mask(corners: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    mask = np.zeros((size[1], size[0]), np.uint8)
    cv2.fillConvexPoly(mask, np.round(corners * 16).astype(np.int32), 255, cv2.LINE_AA, shift=4)
    return mask


# -- what a home and a webcam do to the picture -------------------------------------------------------------


@dataclass(frozen=True)
class Conditions:
    light_gradient: float = 0.0  # 0..1: how much darker the far side is
    shadow: float = 0.0  # 0..1: depth of a soft shadow (a head or an arm) across part of the frame
    glare: float = 0.0  # 0..1: a bright spot from a ceiling lamp
    hand: bool = False  # fingers holding one edge of the page
    motion_blur: float = 0.0  # length in pixels at 720p
    focus_blur: float = 0.0  # sigma in pixels at 720p
    noise: float = 2.0  # sigma in grey levels
    jpeg_quality: int = 0  # 0 = none
    exposure: float = 1.0  # < 1: a dim room
    # Gains of the blue, green and red channels: the colour a camera's white balance leaves under a warm bulb
    # (blue low), a cool tube (red low) or a fluorescent one (green high). Applied before blur, noise and JPEG,
    # as a camera does.
    cast: tuple[float, float, float] = (1.0, 1.0, 1.0)


def random_conditions(rng: Rng) -> Conditions:
    return Conditions(
        light_gradient=float(rng.uniform(0, 0.5)),
        shadow=float(rng.uniform(0.15, 0.5)) if rng.random() < 0.35 else 0.0,
        glare=float(rng.uniform(0.3, 0.9)) if rng.random() < 0.25 else 0.0,
        hand=bool(rng.random() < 0.25),
        motion_blur=float(rng.uniform(2, 7)) if rng.random() < 0.2 else 0.0,
        focus_blur=float(rng.uniform(0.8, 2.2)) if rng.random() < 0.25 else 0.0,
        noise=float(rng.uniform(1, 7)),
        jpeg_quality=int(rng.integers(55, 92)) if rng.random() < 0.7 else 0,
        exposure=float(rng.uniform(0.45, 0.8)) if rng.random() < 0.2 else 1.0,
    )


def apply_conditions(frame: np.ndarray, corners: np.ndarray, cond: Conditions, rng: Rng) -> np.ndarray:
    height, width = frame.shape[:2]
    scale = height / 720.0
    image = frame.astype(np.float32)
    if cond.hand:
        image = _hand(image, corners, rng)
    gain = np.full((height, width), cond.exposure, np.float32)
    if cond.light_gradient:
        angle = rng.uniform(0, 2 * math.pi)
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        ramp = (xs / width - 0.5) * math.cos(angle) + (ys / height - 0.5) * math.sin(angle)
        gain *= 1.0 - cond.light_gradient * (ramp + 0.7) / 1.4
    if cond.shadow:
        mask = np.zeros((height, width), np.float32)
        centre = (int(rng.uniform(0, width)), int(rng.uniform(0, height)))
        axes = (int(rng.uniform(0.2, 0.5) * width), int(rng.uniform(0.2, 0.6) * height))
        cv2.ellipse(mask, centre, axes, float(rng.uniform(0, 180)), 0, 360, 1.0, -1)
        mask = cv2.GaussianBlur(mask, (0, 0), max(3.0, 25 * scale))
        gain *= 1.0 - cond.shadow * mask
    image *= gain[..., None]
    if cond.cast != (1.0, 1.0, 1.0):
        image *= np.array(cond.cast, np.float32)
    if cond.glare:
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        inside = corners.mean(axis=0) + rng.normal(0, 0.15, 2) * (corners.max(0) - corners.min(0))
        sigma = rng.uniform(0.05, 0.15) * width
        spot = np.exp(-((xs - inside[0]) ** 2 + (ys - inside[1]) ** 2) / (2 * sigma * sigma))
        image += (cond.glare * 255 * spot)[..., None]
    if cond.focus_blur:
        image = cv2.GaussianBlur(image, (0, 0), cond.focus_blur * scale)
    if cond.motion_blur:
        image = _motion_blur(image, cond.motion_blur * scale, rng)
    image += rng.normal(0, cond.noise, image.shape).astype(np.float32)
    out = np.clip(image, 0, 255).astype(np.uint8)
    if cond.jpeg_quality:
        _, data = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, cond.jpeg_quality])
        out = cv2.imdecode(data, cv2.IMREAD_COLOR)
    return out


def _motion_blur(image: np.ndarray, length: float, rng: Rng) -> np.ndarray:
    size = max(3, int(length) | 1)
    kernel = np.zeros((size, size), np.float32)
    kernel[size // 2, :] = 1.0
    rotation = cv2.getRotationMatrix2D((size / 2 - 0.5, size / 2 - 0.5), float(rng.uniform(0, 180)), 1.0)
    kernel = cv2.warpAffine(kernel, rotation, (size, size))
    return cv2.filter2D(image, -1, kernel / max(kernel.sum(), 1e-6))


def _hand(image: np.ndarray, corners: np.ndarray, rng: Rng) -> np.ndarray:
    """Fingers and a thumb coming in from outside the page over one side, as when a hand holds it flat."""
    height, width = image.shape[:2]
    side = int(rng.integers(0, 4))
    a, b = corners[side], corners[(side + 1) % 4]
    t = rng.uniform(0.15, 0.85)
    at = a + t * (b - a)
    outward = np.array([(b - a)[1], -(b - a)[0]], np.float32)
    outward /= np.linalg.norm(outward) + 1e-6
    if np.dot(outward, at - corners.mean(axis=0)) < 0:
        outward = -outward
    finger = 0.035 * min(width, height) * rng.uniform(0.8, 1.3)
    skin = np.array([rng.uniform(90, 150), rng.uniform(120, 170), rng.uniform(170, 225)], np.float32)
    mask = np.zeros((height, width), np.float32)
    along = (b - a) / (np.linalg.norm(b - a) + 1e-6)
    reach = rng.uniform(1.5, 3.5) * finger
    for k in range(int(rng.integers(1, 5))):
        base = at + along * (k - 1.5) * finger * 1.1
        tip = base - outward * reach * rng.uniform(0.8, 1.2)
        root = base + outward * 8 * finger
        cv2.line(mask, tuple(int(v) for v in root), tuple(int(v) for v in tip), 1.0, int(finger), cv2.LINE_AA)
    mask = cv2.GaussianBlur(mask, (0, 0), 1.5)[..., None]
    shade = 0.8 + 0.25 * _smooth_noise(width, height, rng, 20)[..., None]
    return image * (1 - mask) + skin * shade * mask


# -- a whole frame --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scene:
    image: np.ndarray
    truth: np.ndarray  # TL, TR, BR, BL of the page in the frame
    background: str
    conditions: Conditions


def render_scene(
    page: np.ndarray,
    size: tuple[int, int],
    background: str,
    rng: Rng,
    conditions: Conditions | None = None,
    fill: tuple[float, float] | None = None,
    cut: tuple[str, float] | None = None,
    bow: float = 0.0,
    tilt: float | None = None,
    stack: Stack | None = None,
) -> Scene:
    """`fill`: the range of the page's height over the frame's (a user framing a page for a scan fills most
    of the view; a page lying on the table further off fills less). `cut`: (side, share) to have the page run
    out of the picture on that side (`run_out`). `bow`: the sheet curves (`place_page`). `tilt`: degrees the
    camera sees the page from straight on (`tilted_corners`). `stack`: printed sheets under the page
    (`stack_under`)."""
    width, height = size
    table = BACKGROUNDS[background](width, height, rng)
    aspect = page.shape[0] / page.shape[1]
    if tilt is None:
        corners = random_corners(aspect, size, rng, fill=fill or ((0.35, 0.85) if aspect > 1 else (0.3, 0.6)))
    else:
        corners = tilted_corners(aspect, size, tilt, rng, fill)
    if cut is not None:
        corners = run_out(corners, size, *cut)
    if stack is not None:
        table = stack_under(table, corners, stack, rng)
    frame = place_page(page, corners, contact_shadow(table, corners, rng), bow)
    cond = conditions if conditions is not None else random_conditions(rng)
    return Scene(apply_conditions(frame, corners, cond, rng), corners, background, cond)
