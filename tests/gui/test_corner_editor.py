"""The corner editor (real widgets offscreen): the magnifier shows the photo under the corner being dragged,
the sides snap onto the paper's edges, the whole photo can be taken, and every change is undone in turn."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest

from fieldkit.camera.paperwork import form_page
from fieldkit.camera.scenes import Conditions, render_scene
from fieldkit.core.i18n import Translator
from fieldkit.gui.corner_editor import CornerEditor

SIZE = (1280, 720)


@pytest.fixture
def scene():
    rng = np.random.default_rng(5)
    return render_scene(form_page(rng).image, SIZE, "wood", rng, conditions=Conditions(noise=2.0))


def _editor(qtbot, photo: np.ndarray, quad: np.ndarray, lang: str = "vi") -> CornerEditor:
    editor = CornerEditor(Translator(lang), photo, quad)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def _point(canvas, photo_point) -> QPoint:
    return canvas.to_screen(photo_point).toPoint()


def _colour(image, x: float, y: float) -> QColor:
    return image.pixelColor(int(x), int(y))


def test_the_magnifier_shows_the_photo_under_the_dragged_corner(qtbot) -> None:
    photo = np.full((720, 1280, 3), 90, np.uint8)
    corner = (300, 500)
    photo[corner[1] - 6 : corner[1] + 7, corner[0] - 6 : corner[0] + 7] = (0, 0, 230)  # a red spot (BGR)
    quad = np.array([[300, 200], [900, 200], [900, 500], corner], np.float32)
    editor = _editor(qtbot, photo, quad)
    canvas = editor.canvas
    assert not canvas.magnifying

    start = _point(canvas, quad[3])
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(canvas, start)
    assert canvas.magnifying and canvas.selected == 3
    shown = canvas.grab().toImage()
    box = canvas.loupe_rect()
    _, scale = canvas._frame()
    spot = 6 * scale * 4.0  # the spot's half-width, magnified
    inside = _colour(shown, box.center().x() + spot / 2, box.center().y() + spot / 2)  # off the cross
    beyond = _colour(shown, box.center().x() + 1.5 * spot, box.center().y() + 1.5 * spot)
    assert inside.red() > 180 and inside.blue() < 80, inside.name()
    assert abs(beyond.red() - 90) < 30, beyond.name()  # the photo's grey round the spot: magnified 4x
    assert not box.contains(start.toPointF())  # the loupe does not cover the corner being placed

    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    assert not canvas.magnifying


def test_dragging_moves_the_corner_and_undo_brings_it_back(qtbot, scene) -> None:
    editor = _editor(qtbot, scene.image, scene.truth)
    canvas = editor.canvas
    assert not editor.undo_button.isEnabled()  # nothing to undo yet
    start = _point(canvas, scene.truth[0])
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    assert not canvas.history and not editor.undo_button.isEnabled()  # pressed and let go: nothing to undo
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(canvas, start + QPoint(30, 20))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + QPoint(30, 20))
    assert np.linalg.norm(editor.quad()[0] - scene.truth[0]) > 20
    QTest.keyClick(canvas, Qt.Key.Key_Right)  # the keyboard moves it on, and shows the loupe
    assert canvas.magnifying

    assert editor.undo_button.isEnabled()
    editor.undo_button.click()
    editor.undo_button.click()
    np.testing.assert_allclose(editor.quad(), scene.truth)
    assert not editor.undo_button.isEnabled()


def test_snap_puts_roughly_placed_sides_on_the_paper_edges(qtbot, scene) -> None:
    rough = scene.truth + np.array([[9, -7], [-8, -10], [11, 6], [-6, 9]], np.float32)
    editor = _editor(qtbot, scene.image, rough)
    editor.snap_button.click()
    assert np.abs(editor.quad() - scene.truth).max() < 1.5
    assert editor.hint.text() == Translator("vi")("ui.scan.corners_snapped")
    editor.undo_button.click()
    np.testing.assert_allclose(editor.quad(), rough)


def test_snap_far_from_any_edge_leaves_the_corners_and_says_so(qtbot) -> None:
    photo = np.full((720, 1280, 3), 200, np.uint8)  # nothing but an even table
    quad = np.array([[300, 200], [900, 210], [880, 560], [320, 540]], np.float32)
    editor = _editor(qtbot, photo, quad, lang="en")
    editor.snap_button.click()
    np.testing.assert_allclose(editor.quad(), quad)
    assert editor.hint.text() == Translator("en")("ui.scan.corners_snap_none")
    assert not editor.canvas.history  # nothing to undo: nothing changed


def test_whole_photo_takes_the_picture_s_corners(qtbot, scene) -> None:
    editor = _editor(qtbot, scene.image, scene.truth)
    editor.whole_button.click()
    np.testing.assert_allclose(editor.quad(), [[0, 0], [1279, 0], [1279, 719], [0, 719]])
    editor.undo_button.click()
    np.testing.assert_allclose(editor.quad(), scene.truth)


def _cross(u: np.ndarray, v: np.ndarray) -> float:
    return float(u[0] * v[1] - u[1] * v[0])


def test_a_side_dragged_by_its_middle_moves_whole_along_its_neighbours(qtbot, scene) -> None:
    quad = scene.truth.copy()
    editor = _editor(qtbot, scene.image, quad)
    canvas = editor.canvas
    middle = _point(canvas, (quad[0] + quad[1]) / 2)
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, middle)
    QTest.mouseMove(canvas, middle + QPoint(0, 25))
    assert canvas.side == 0 and canvas.magnifying
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, middle + QPoint(0, 25))
    moved = editor.quad()

    np.testing.assert_allclose(moved[2:], quad[2:])  # the other corners stay
    top, old_top = moved[1] - moved[0], quad[1] - quad[0]
    assert abs(_cross(top, old_top)) / (np.linalg.norm(top) * np.linalg.norm(old_top)) < 1e-3  # still parallel
    for corner, neighbour in ((0, 3), (1, 2)):  # each top corner slid along the side below it
        along, slid = quad[corner] - quad[neighbour], moved[corner] - quad[neighbour]
        assert abs(_cross(along, slid)) / np.linalg.norm(along) < 0.5
    assert moved[0][1] > quad[0][1] + 20  # down, by about the drag (25 screen px at the canvas's scale)
    editor.undo_button.click()
    np.testing.assert_allclose(editor.quad(), quad)


def test_tab_picks_the_corners_in_turn_and_keeps_the_focus(qtbot, scene) -> None:
    editor = _editor(qtbot, scene.image, scene.truth)
    canvas = editor.canvas
    canvas.setFocus()
    qtbot.waitUntil(canvas.hasFocus)
    QTest.keyClick(canvas, Qt.Key.Key_Tab)
    QTest.keyClick(canvas, Qt.Key.Key_Tab)
    assert canvas.selected == 2 and canvas.hasFocus()  # not sent on to the buttons
    QTest.keyClick(canvas, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert canvas.selected == 1
    QTest.keyClick(canvas, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    np.testing.assert_allclose(editor.quad()[1], scene.truth[1] + [0, 10])  # Shift: 10 photo pixels a press
