"""scripts/bench/qr_photos.py: QR reading measured on labelled pictures in zxing's black-box layout (a picture
and a .txt of its text) and in JSON Lines; real files, the real readers, each outcome checked against what the
reader gives on the same picture."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import cv2
import numpy as np
import segno

from fieldkit.qr import QrReader
from fieldkit.scanner.images import read_image

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts" / "bench"))
import qr_photos

CARD = "001090012345|012345678|Nguyễn Văn An|01011990|Nam|Thôn Phú Lương, Phong Hiền, Thừa Thiên Huế|15082021"


def _photo(text: str, turn: float = 0.0) -> np.ndarray:
    """The code on a grey desk, turned a little, blurred and JPEG-compressed like a webcam's still."""
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=5, border=4)
    code = cv2.imdecode(np.frombuffer(buffer.getvalue(), np.uint8), cv2.IMREAD_COLOR)
    frame = np.full((600, 800, 3), 150, np.uint8)
    h, w = code.shape[:2]
    frame[100 : 100 + h, 200 : 200 + w] = code
    frame = cv2.warpAffine(frame, cv2.getRotationMatrix2D((400, 300), turn, 1.0), (800, 600), borderValue=(150,) * 3)
    frame = cv2.GaussianBlur(frame, (0, 0), 0.8)
    return cv2.imdecode(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])[1], cv2.IMREAD_COLOR)


def test_both_layouts_are_read_and_every_reader_scored(tmp_path: Path, capsys) -> None:
    blackbox = tmp_path / "qrcode-1"
    blackbox.mkdir()
    cv2.imwrite(str(blackbox / "1.png"), _photo(CARD, 8))
    (blackbox / "1.txt").write_text(CARD, encoding="utf-8")
    cv2.imwrite(str(blackbox / "2.jpg"), _photo("1.004873", -20))
    (blackbox / "2.txt").write_text("1.000656", encoding="utf-8")  # labelled with another code: read, but wrong
    cv2.imwrite(str(blackbox / "3.png"), _photo("unlabelled"))  # no .txt: not counted
    own = tmp_path / "own"
    own.mkdir()
    cv2.imwrite(str(own / "desk.png"), np.full((480, 640, 3), 120, np.uint8))
    (own / "broken.jpg").write_bytes(b"not a picture")
    lines = [{"image": "desk.png", "texts": []}, {"image": "broken.jpg", "texts": ["x"], "group": "damaged"}]
    (own / "labels.jsonl").write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    out = tmp_path / "qr.json"

    assert qr_photos.main([str(tmp_path), "--out", str(out)]) == 0

    report = json.loads(out.read_text(encoding="utf-8"))
    pictures = {Path(p["image"]).name: p for p in report["pictures"]}
    assert set(pictures) == {"1.png", "2.jpg", "desk.png", "broken.jpg"}
    fieldkit = QrReader.create()
    for name, folder in (("1.png", blackbox), ("2.jpg", blackbox), ("desk.png", own)):
        read = {code.text for code in fieldkit.read(read_image(folder / name), exhaustive=True)}
        outcome = pictures[name]["readers"]["FieldKit"]
        assert outcome["exact"] == (set(pictures[name]["texts"]) <= read)
        assert outcome["wrong"] == bool(read - set(pictures[name]["texts"]))
    assert pictures["1.png"]["readers"]["FieldKit"]["exact"]  # the ID card's Vietnamese text, read whole
    assert pictures["2.jpg"]["readers"]["FieldKit"]["wrong"] and not pictures["2.jpg"]["readers"]["FieldKit"]["exact"]
    desk = pictures["desk.png"]["readers"]["FieldKit"]
    assert desk["exact"] and not desk["wrong"]  # no code, and none made up
    assert "broken.jpg" in pictures["broken.jpg"]["error"]

    summary = report["summary"]
    assert summary["groups"]["qrcode-1"]["pictures"] == 2
    assert summary["groups"]["qrcode-1"]["FieldKit"]["exact"] == 0.5
    assert summary["groups"]["qrcode-1"]["FieldKit"]["wrong"] == 1
    assert summary["groups"]["damaged"]["unreadable"] == 1
    assert {"zxing-cpp", "FieldKit"} <= set(summary["all"])
    assert "qrcode-1" in capsys.readouterr().out
