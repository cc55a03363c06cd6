"""scripts/bench/photos.py: detection measured on labelled photo sets in the layouts real datasets come in
(SmartDoc-2015 challenge 1's metadata.csv, MIDV-500's ground-truth JSON, and JSON Lines in the shape of
`fieldkit scan --detect-only --json`). Real files on disk, the real detector, in a child process as the
bench runs it; each frame's Jaccard is checked against the detector run here on the same image."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from fieldkit.camera.paperwork import form_page, id_card
from fieldkit.camera.scenes import Conditions, render_scene
from fieldkit.scanner.detect import PageDetector
from fieldkit.scanner.geometry import jaccard_in_document_frame
from fieldkit.scanner.images import read_image

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts" / "bench"))
import photos

SIZE = (960, 540)
CALM = Conditions(noise=2.0)


def _scene(seed: int, background: str, card: bool = False):
    rng = np.random.default_rng(seed)
    page = (id_card(rng) if card else form_page(rng)).image
    return render_scene(page, SIZE, background, rng, conditions=CALM)


def _smartdoc(root: Path) -> list[tuple[Path, np.ndarray]]:
    """Two backgrounds, frames as JPEG, corners in the metadata's column order (tl, bl, br, tr)."""
    header = "bg_name,bg_id,model_name,model_id,image_path,frame_index,model_width,model_height"
    rows, made = [header + ",tl_x,tl_y,bl_x,bl_y,br_x,br_y,tr_x,tr_y"], []
    for k, background in enumerate(("wood", "plain-dark", "carpet")):
        scene = _scene(10 + k, background)
        bg = f"background0{1 + k % 2}"
        relative = f"{bg}/letter001/frame_{k + 1:04d}.jpeg"
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(root / relative), scene.image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        tl, tr, br, bl = scene.truth
        corners = ",".join(f"{x:.3f},{y:.3f}" for x, y in (tl, bl, br, tr))
        rows.append(f"{bg},{k % 2},letter001,0,{relative},{k + 1},2100.0,2970.0,{corners}")
        made.append((root / relative, scene.truth))
    (root / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return made


def _midv(root: Path) -> list[tuple[Path, np.ndarray]]:
    """An ID card per clip (TIFF frames), ground truth in a parallel tree; the quad starts at another corner."""
    made = []
    for k, clip in enumerate(("TS01", "KA07")):
        scene = _scene(20 + k, "wood", card=True)
        image = root / "05_aze_passport" / "images" / clip / f"{clip}_01.tif"
        truth = root / "05_aze_passport" / "ground_truth" / clip / f"{clip}_01.json"
        for folder in (image.parent, truth.parent):
            folder.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(image), scene.image)
        truth.write_text(json.dumps({"quad": np.roll(scene.truth, 1, axis=0).tolist()}), encoding="utf-8")
        made.append((image, scene.truth))
    return made


def _own(root: Path) -> tuple[list[tuple[Path, np.ndarray | None]], Path]:
    """Our own JSON Lines: a page, a page-less frame (null) and a file that is no picture."""
    root.mkdir(parents=True, exist_ok=True)
    scene = _scene(30, "tiles")
    cv2.imwrite(str(root / "page.png"), scene.image)
    cv2.imwrite(str(root / "table.png"), _scene(31, "wood").image[:80, :120].repeat(6, 0).repeat(6, 1))
    (root / "broken.jpg").write_bytes(b"not a picture")
    lines = [
        {"image": "page.png", "quad": scene.truth.tolist()},
        {"image": "table.png", "quad": None, "group": "empty tables"},
        {"image": "broken.jpg", "quad": scene.truth.tolist()},
    ]
    listing = root / "labels.jsonl"
    listing.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return [(root / "page.png", scene.truth), (root / "table.png", None)], root / "broken.jpg"


def test_every_layout_is_read_and_measured_as_the_detector_sees_it(tmp_path: Path, capsys) -> None:
    expected = _smartdoc(tmp_path / "smartdoc") + _midv(tmp_path / "midv")
    own, broken = _own(tmp_path / "own")
    out = tmp_path / "photos.json"

    assert photos.main([str(tmp_path), "--jobs", "1", "--out", str(out)]) == 0

    report = json.loads(out.read_text(encoding="utf-8"))
    frames = {Path(f["path"]): f for f in report["frames"]}
    detector = PageDetector()
    for path, truth in expected + own:
        frame = frames[path]
        found = detector.detect(read_image(path))
        assert frame["found"] is (found is not None)
        if truth is not None:
            image_size = tuple(frame["size"])
            assert frame["jaccard"] == pytest.approx(
                jaccard_in_document_frame(None if found is None else found.quad, truth, image_size), abs=1e-5
            )  # the metadata holds corners to 3 decimals
            assert frame["jaccard"] > 0.95, path  # calm scenes: a wrong corner order would show here
    assert "error" in frames[broken] and "broken.jpg" in frames[broken]["error"]

    groups = report["summary"]["groups"]
    assert {name: g["frames"] for name, g in groups.items()} == {
        "background01": 2, "background02": 1, "TS": 1, "KA": 1, "own": 1, "empty tables": 0,
    }  # fmt: skip
    assert groups["empty tables"]["pageless"] == 1
    assert groups["own"]["unreadable"] == 1
    assert report["summary"]["all"]["frames"] == 6
    table = capsys.readouterr().out
    assert "background01" in table and "unreadable frames: 1" in table
    lowest = min((f for f in report["frames"] if "jaccard" in f), key=lambda f: f["jaccard"])
    assert f"{lowest['jaccard']:.3f}" in table and lowest["path"] in table  # the worst frames are listed


def test_every_and_limit_thin_a_long_video_set(tmp_path: Path) -> None:
    _smartdoc(tmp_path)
    out = tmp_path / "photos.json"
    photos.main([str(tmp_path / "metadata.csv"), "--every", "2", "--limit", "1", "--jobs", "1", "--out", str(out)])
    frames = json.loads(out.read_text(encoding="utf-8"))["frames"]
    assert [Path(f["path"]).name for f in frames] == ["frame_0001.jpeg"]


def test_a_malformed_line_names_its_file_and_line(tmp_path: Path) -> None:
    listing = tmp_path / "labels.jsonl"
    listing.write_text('{"image": "a.png", "quad": null}\n{"quad": [[0, 0]]}\n', encoding="utf-8")
    with pytest.raises(SystemExit, match=r"labels\.jsonl:2"):
        photos.find_records([listing])
    listing.write_text('{"image": "a.png", "quad": [[0, 0, 1], [1, 0], [1, 1], [0, 1]]}\n', encoding="utf-8")
    with pytest.raises(SystemExit, match=r"a\.png: a quad is four \[x, y\] corners"):
        photos.find_records([listing])
