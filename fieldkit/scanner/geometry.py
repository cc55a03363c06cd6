"""Quadrilaterals: corner order, shape checks, and the SmartDoc overlap measure.

A quad is a float32 array of shape (4, 2) in image pixels, ordered top-left, top-right, bottom-right,
bottom-left (TL, TR, BR, BL) as the page is seen in the frame.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np


def whole_image_quad(image: np.ndarray) -> np.ndarray:
    """The picture's own corners: the outline of a page nobody found (the user may move them)."""
    height, width = image.shape[:2]
    return np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32)


def order_corners(points: np.ndarray) -> np.ndarray:
    """Four points in any order -> TL, TR, BR, BL (clockwise on screen, starting nearest the top-left)."""
    pts = np.asarray(points, np.float32).reshape(4, 2)
    center = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - center[1], pts[:, 0] - center[0])
    pts = pts[np.argsort(angles)]  # clockwise on screen (y grows downwards)
    # Start at the corner whose position best matches "top-left": smallest x + y.
    start = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -start, axis=0)


def order_quads(quads: np.ndarray) -> np.ndarray:
    """`order_corners` for many quads (n, 4, 2) at once."""
    quads = np.asarray(quads, np.float32)
    if len(quads) == 0:
        return quads
    centre = quads.mean(axis=1, keepdims=True)
    angles = np.arctan2(quads[..., 1] - centre[..., 1], quads[..., 0] - centre[..., 0])
    quads = np.take_along_axis(quads, np.argsort(angles, axis=1)[..., None], axis=1)
    start = np.argmin(quads.sum(axis=2), axis=1)
    index = (start[:, None] + np.arange(4)[None, :]) % 4
    return np.take_along_axis(quads, index[..., None], axis=1)


def polygon_area(quad: np.ndarray) -> float:
    """Area of a quad (4, 2)."""
    x, y = quad[:, 0].astype(np.float64), quad[:, 1].astype(np.float64)
    return 0.5 * abs(float(np.dot(x, next_corner(y, 0)) - np.dot(y, next_corner(x, 0))))


def polygon_areas(quads: np.ndarray) -> np.ndarray:
    """Areas of many quads (n, 4, 2) at once."""
    x, y = quads[..., 0], quads[..., 1]
    return 0.5 * np.abs(np.sum(x * next_corner(y) - y * next_corner(x), axis=1))


_NEXT = np.array([1, 2, 3, 0])
_PREVIOUS = np.array([3, 0, 1, 2])


def next_corner(values: np.ndarray, axis: int = 1) -> np.ndarray:
    """Along a four-long axis of corners or sides (axis 1 of (n, 4, ...) quads): entry k+1 at k, as
    np.roll(values, -1, axis) does, at a fifth of its cost (the detector does this thousands of times a frame)."""
    return np.take(values, _NEXT, axis=axis)


def previous_corner(values: np.ndarray, axis: int = 1) -> np.ndarray:
    """Entry k-1 at k along a four-long axis (np.roll(values, 1, axis))."""
    return np.take(values, _PREVIOUS, axis=axis)


def quad_sides(quads: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per quad (n, 4, 2) and side k (corner k to k+1): start, end (n, 4, 2), length (n, 4), unit direction and
    unit normal pointing out of the quad (n, 4, 2)."""
    start, end = quads, next_corner(quads)
    length = np.linalg.norm(end - start, axis=2)
    direction = (end - start) / (length[..., None] + 1e-6)
    normal = np.stack([-direction[..., 1], direction[..., 0]], axis=-1)
    inward = np.sum(normal * (quads.mean(axis=1, keepdims=True) - (start + end) / 2), axis=2, keepdims=True) > 0
    return start, end, length, direction, np.where(inward, -normal, normal)


def quad_grid(quads: np.ndarray, shrink: float, count: int) -> np.ndarray:
    """count x count points spread over each quad (n, 4, 2), shrunk towards its centre: (n, count^2, 2)."""
    centre = quads.mean(axis=1, keepdims=True)
    inner = centre + shrink * (quads - centre)
    uu, vv = _grid_weights(count)
    tl, tr, br, bl = (inner[:, k : k + 1, :] for k in range(4))
    return (1 - vv) * ((1 - uu) * tl + uu * tr) + vv * ((1 - uu) * bl + uu * br)


@functools.cache
def _grid_weights(count: int) -> tuple[np.ndarray, np.ndarray]:
    """quad_grid's weights across and down, (1, count^2, 1) each: the same few grids serve every frame."""
    u = np.linspace(0.05, 0.95, count, dtype=np.float32)
    uu, vv = np.meshgrid(u, u)
    return uu.ravel()[None, :, None], vv.ravel()[None, :, None]


def is_convex(quad: np.ndarray) -> bool:
    edges = next_corner(quad, 0) - quad
    turn = next_corner(edges, 0)
    cross = edges[:, 0] * turn[:, 1] - edges[:, 1] * turn[:, 0]
    return bool(np.all(cross > 0) or np.all(cross < 0))


def corner_angles(quad: np.ndarray) -> np.ndarray:
    """Interior angle at each corner, in degrees."""
    before = previous_corner(quad, 0) - quad
    after = next_corner(quad, 0) - quad
    cos = np.sum(before * after, axis=1) / (np.linalg.norm(before, axis=1) * np.linalg.norm(after, axis=1) + 1e-9)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def side_lengths(quad: np.ndarray) -> np.ndarray:
    return np.linalg.norm(next_corner(quad, 0) - quad, axis=1)


def _cross(a, b) -> tuple[float, float, float]:
    # Plain floats: np.cross costs microseconds of overhead per call, and the detector makes thousands.
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def line_through(p, q) -> np.ndarray:
    """Homogeneous line through two points."""
    return np.array(_cross((float(p[0]), float(p[1]), 1.0), (float(q[0]), float(q[1]), 1.0)))


def intersect(line_a, line_b) -> np.ndarray | None:
    x, y, w = _cross(
        (float(line_a[0]), float(line_a[1]), float(line_a[2])), (float(line_b[0]), float(line_b[1]), float(line_b[2]))
    )
    if abs(w) < 1e-9:
        return None
    return np.array([x / w, y / w])


def slide_side(quad: np.ndarray, side: int, offset: float) -> np.ndarray | None:
    """The quad (4, 2) with side `side` (corner k to k+1) moved `offset` pixels along its normal (towards the
    right of its direction), its two corners sliding along the neighbouring sides, as a scanner app's side handle
    moves it; None when that would fold the quad or send a corner to infinity (neighbouring sides parallel)."""
    quad = np.asarray(quad, np.float64)
    a, b = quad[side], quad[(side + 1) % 4]
    direction = (b - a) / max(float(np.linalg.norm(b - a)), 1e-9)
    shift = offset * np.array([-direction[1], direction[0]])
    moved = line_through(a + shift, b + shift)
    start = intersect(moved, line_through(quad[(side - 1) % 4], a))
    end = intersect(moved, line_through(quad[(side + 2) % 4], b))
    if start is None or end is None:
        return None
    result = quad.copy()
    result[side], result[(side + 1) % 4] = start, end
    turned = np.sign(_signed_area(result.tolist())) != np.sign(_signed_area(quad.tolist()))  # past the opposite side
    return None if turned or not is_convex(result) else result.astype(np.float32)


def border_line(a: np.ndarray, b: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The frame's border nearest the side from `a` to `b`, as a homogeneous line."""
    width, height = size
    x, y = (a + b) / 2
    gaps = [abs(x), abs(width - 1 - x), abs(y), abs(height - 1 - y)]
    lines = [(1.0, 0.0, 0.0), (1.0, 0.0, -(width - 1.0)), (0.0, 1.0, 0.0), (0.0, 1.0, -(height - 1.0))]
    return np.array(lines[int(np.argmin(gaps))])


def nearest_side(quad: np.ndarray, line: np.ndarray) -> int:
    """The side k (corner k to corner k + 1) of an ordered quad (4, 2) whose corners lie nearest a line."""
    distance = np.abs(np.asarray(quad, np.float64) @ line[:2] + line[2])
    return int(np.argmin(distance + next_corner(distance, axis=0)))


def onto_border(quad: np.ndarray, border: np.ndarray) -> np.ndarray:
    """The ordered quad (4, 2) with its side nearest the `border` line put back on it: that side's two corners
    slid along their other sides to the border (a page running out of the picture, after its sides were moved
    onto this frame's edges). Unchanged where a side runs parallel to the border."""
    quad = np.asarray(quad, np.float32)
    side = nearest_side(quad, border)
    moved = quad.copy()
    for corner, other in ((side, (side - 1) % 4), ((side + 1) % 4, (side + 2) % 4)):
        point = intersect(line_through(quad[other], quad[corner]), border)
        if point is not None:
            moved[corner] = point
    return moved


def scale_quad(quad: np.ndarray, factor: float) -> np.ndarray:
    # Pixel centres: a pixel at x in a image scaled by f sits at (x + 0.5) * f - 0.5.
    return ((np.asarray(quad, np.float64) + 0.5) * factor - 0.5).astype(np.float32)


def homography_to_rect(quad: np.ndarray, width: float, height: float) -> np.ndarray:
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    return cv2.getPerspectiveTransform(np.asarray(quad, np.float32), target)


def jaccard_in_document_frame(found: np.ndarray | None, truth: np.ndarray, frame_size: tuple[int, int]) -> float:
    """SmartDoc-2015 measure: the overlap of the found and true quads after both are mapped into the document's
    own frame (the true quad becomes a rectangle), each clipped to what the frame shows. A missed page scores 0.

    The clipping is done in the image, before mapping: the frame's own corners may lie beyond the page
    plane's horizon, where the mapping folds over.
    """
    if found is None:
        return 0.0
    w, h = frame_size
    frame = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    found = np.asarray(found, np.float32).reshape(4, 2)
    if not is_convex(found):
        found = cv2.convexHull(found).reshape(-1, 2)
    truth_seen = _intersection(np.asarray(truth, np.float32), frame)
    found_seen = _intersection(found, frame)
    if truth_seen is None or found_seen is None:
        return 0.0
    width, height = 1000.0, 1000.0 * _aspect(truth)
    to_document = homography_to_rect(truth, width, height)
    truth_doc = cv2.perspectiveTransform(truth_seen.reshape(1, -1, 2), to_document)[0]
    found_doc = cv2.perspectiveTransform(found_seen.reshape(1, -1, 2), to_document)[0]
    if not _in_front(found_seen, to_document):
        return 0.0  # the found quad crosses the page plane's horizon: nothing like the page
    both = _intersection(_convex(truth_doc), _convex(found_doc))
    inter = 0.0 if both is None else _area(both)
    union = _area(truth_doc) + _area(found_doc) - inter
    return float(inter / union) if union > 0 else 0.0


def _in_front(points: np.ndarray, homography: np.ndarray) -> bool:
    """All points map with the same sign of w (none beyond the horizon of the page's plane)."""
    w = np.c_[points, np.ones(len(points))] @ homography[2]
    return bool(np.all(w > 0) or np.all(w < 0))


def _convex(poly: np.ndarray) -> np.ndarray:
    return cv2.convexHull(poly.astype(np.float32)).reshape(-1, 2)


def _aspect(quad: np.ndarray) -> float:
    sides = side_lengths(quad)
    return float((sides[1] + sides[3]) / max(sides[0] + sides[2], 1e-6))


def _area(poly: np.ndarray) -> float:
    return float(abs(cv2.contourArea(poly.astype(np.float32))))


def _intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """The part of polygon `a` inside convex polygon `b` (Sutherland-Hodgman: exact, and unlike
    cv2.intersectConvexConvex, right when the two share an edge, as two quads clipped by the frame do)."""
    polygon = [tuple(map(float, p)) for p in np.asarray(a, np.float64).reshape(-1, 2)]
    clipper = [tuple(map(float, p)) for p in np.asarray(b, np.float64).reshape(-1, 2)]
    if _signed_area(clipper) < 0:
        clipper.reverse()  # counter-clockwise in the usual axes, so "inside" is "left of each edge"
    for (x1, y1), (x2, y2) in zip(clipper, clipper[1:] + clipper[:1], strict=True):
        if not polygon:
            break

        def side(p, x1=x1, y1=y1, x2=x2, y2=y2):
            return (x2 - x1) * (p[1] - y1) - (y2 - y1) * (p[0] - x1)

        kept = []
        for current, following in zip(polygon, polygon[1:] + polygon[:1], strict=True):
            sc, sf = side(current), side(following)
            if sc >= 0:
                kept.append(current)
            if (sc >= 0) != (sf >= 0):
                t = sc / (sc - sf)
                kept.append(
                    (current[0] + t * (following[0] - current[0]), current[1] + t * (following[1] - current[1]))
                )
        polygon = kept
    if len(polygon) < 3 or abs(_signed_area(polygon)) <= 0:
        return None
    return np.array(polygon, np.float32)


def _signed_area(points: list[tuple[float, float]]) -> float:
    return 0.5 * sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True))


def _rectangle_sides(quads: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For ordered quads (n, 4, 2) seen as perspective views of rectangles (principal point at the image's
    centre), the rectangle's top and left sides as directions in space, up to the focal length: (n, 3) each,
    x and y in pixels (to be divided by the focal length) and z as is; and which quads give a reading (a quad
    collapsed towards a line does not). Zhang & He, "Whiteboard scanning and image enhancement" (2007)."""
    # Written out for points (x, y, 1): np.cross and einsum on (n, 3) arrays cost three times as much, and the
    # scorer asks for every hypothesis of every frame.
    p = quads.astype(np.float64) - np.asarray(size, np.float64) / 2.0
    (x1, y1), (x2, y2) = p[:, 0].T, p[:, 1].T  # tl, tr: the rectangle's (0,0), (w,0)
    (x4, y4), (x3, y3) = p[:, 2].T, p[:, 3].T  # br, bl: (w,h), (0,h)

    def triple(ax, ay, bx, by, cx, cy):  # (a x b) . c
        return (ay - by) * cx + (bx - ax) * cy + (ax * by - ay * bx)

    den2, den3 = triple(x2, y2, x4, y4, x3, y3), triple(x3, y3, x4, y4, x2, y2)
    sound = (np.abs(den2) > 1e-9) & (np.abs(den3) > 1e-9)
    k2 = triple(x1, y1, x4, y4, x3, y3) / np.where(sound, den2, 1.0)
    k3 = triple(x1, y1, x4, y4, x2, y2) / np.where(sound, den3, 1.0)
    top = np.stack([k2 * x2 - x1, k2 * y2 - y1, k2 - 1.0], axis=1)
    left = np.stack([k3 * x3 - x1, k3 * y3 - y1, k3 - 1.0], axis=1)
    return top, left, sound


def implied_focal(quad: np.ndarray, size: tuple[int, int]) -> float | None:
    """The focal length (pixels) under which an ordered quad is a view of a rectangle with square corners; None
    when the quad does not tell (opposite sides near parallel: any focal length would do)."""
    top, left, sound = _rectangle_sides(np.asarray(quad, np.float64)[None], size)
    top, left = top[0], left[0]
    if not sound[0] or abs(top[2]) < 1e-6 or abs(left[2]) < 1e-6:
        return None
    f2 = -(top[0] * left[0] + top[1] * left[1]) / (top[2] * left[2])
    return float(np.sqrt(f2)) if f2 > 0 else None


def rectangle_ratios(quads: np.ndarray, size: tuple[int, int], focal: float | np.ndarray) -> np.ndarray:
    """Width over height (top side over left side) of the rectangle each ordered quad (n, 4, 2) is a
    perspective view of, for a camera of this focal length (pixels; one for all, or one per quad). A page tilted
    away from the camera looks shorter in the image than it is; this undoes the tilt. NaN where the quad gives
    no reading."""
    top, left, sound = _rectangle_sides(quads, size)
    unfocus = np.ones((len(top), 3))
    unfocus[:, :2] /= np.broadcast_to(np.asarray(focal, np.float64), (len(top),))[:, None]
    across, down = np.linalg.norm(top * unfocus, axis=1), np.linalg.norm(left * unfocus, axis=1)
    sound &= (across > 1e-9) & (down > 1e-9)
    return np.where(sound, across / np.where(sound, down, 1.0), np.nan)
