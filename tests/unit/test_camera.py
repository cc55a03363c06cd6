import cv2
import numpy as np
import pytest

from fieldkit.camera import CameraError, open_source


def test_demo_camera_gives_frames_with_the_true_page_corners():
    with open_source("demo", frames=5, size=(640, 480), seed=3) as source:
        frames = list(source)
    assert [f.index for f in frames] == [0, 1, 2, 3, 4]
    for frame in frames:
        assert frame.image.shape == (480, 640, 3) and frame.image.dtype == np.uint8
        assert frame.truth.shape == (4, 2)
        tl, tr, br, bl = frame.truth
        assert tl[0] < tr[0] and bl[0] < br[0] and tl[1] < bl[1] and tr[1] < br[1]  # TL, TR, BR, BL
        inside = frame.image[int(frame.truth[:, 1].mean()), int(frame.truth[:, 0].mean())]
        assert inside.mean() > 150  # the middle of the page is paper, not table


def test_demo_is_deterministic_for_a_seed():
    first = open_source("demo", frames=2, size=(320, 240), seed=5).read().image
    again = open_source("demo", frames=2, size=(320, 240), seed=5).read().image
    assert np.array_equal(first, again)


def test_image_folder_skips_unreadable_files(tmp_path):
    for name, value in (("a.png", 10), ("b.jpg", 200)):
        cv2.imwrite(str(tmp_path / name), np.full((20, 30, 3), value, np.uint8))
    (tmp_path / "c.png").write_bytes(b"not an image")
    (tmp_path / "notes.txt").write_text("ignored")
    source = open_source(f"images:{tmp_path}")
    frames = list(source)
    assert len(frames) == 2 and frames[0].image.shape == (20, 30, 3)
    assert [p.name for p in source.skipped] == ["c.png"]


def test_video_file(tmp_path):
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    for value in range(0, 250, 50):
        writer.write(np.full((48, 64, 3), value, np.uint8))
    writer.release()
    with open_source(f"video:{path}") as source:
        assert len(list(source)) == 5
    with open_source(str(path)) as source:  # a bare path works too
        assert source.read() is not None


@pytest.mark.parametrize(
    ("spec", "key"),
    [
        ("camera:57", "error.camera.missing"),
        ("camera:x", "error.camera.bad_spec"),
        ("video:/nonexistent/clip.mp4", "error.camera.no_file"),
        ("webcam", "error.camera.bad_spec"),
    ],
)
def test_unusable_sources_are_clear_errors(spec, key):
    with pytest.raises(CameraError) as caught:
        open_source(spec)
    assert caught.value.message.key == key
    assert caught.value.user_error


def test_windows_webcams_open_through_directshow_before_the_default():
    from fieldkit.camera.sources import webcam_backends

    assert webcam_backends("win32") == (cv2.CAP_DSHOW, cv2.CAP_ANY)  # Media Foundation only as the fallback
    assert webcam_backends("linux") == (cv2.CAP_ANY,)


def test_a_file_that_is_not_a_video(tmp_path):
    bogus = tmp_path / "clip.mp4"
    bogus.write_bytes(b"\x00" * 100)
    with pytest.raises(CameraError) as caught:
        open_source(f"video:{bogus}")
    assert caught.value.message.key == "error.camera.video_unreadable"


def test_empty_folder(tmp_path):
    with pytest.raises(CameraError) as caught:
        open_source(f"images:{tmp_path}")
    assert caught.value.message.key == "error.camera.folder_empty"
