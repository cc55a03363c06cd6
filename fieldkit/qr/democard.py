"""A fictitious chip ID card with a real CCCD-format QR code, for the demo camera and for tests.

The person does not exist ("Nguyễn Văn Mẫu": mẫu means sample) and the card says MẪU / SAMPLE across it.
The QR code is what a real card carries, in the 2021 layout; its size on the card (about 4 pixels a
module at the demo camera's 720p) is what a webcam sees of a card held at arm's length.
"""

from __future__ import annotations

import textwrap
from datetime import date

import cv2
import numpy as np
import segno
from PIL import Image, ImageDraw

from fieldkit.camera.paperwork import font
from fieldkit.core.cccd_qr import NotCccdPayload, parse_cccd_qr
from fieldkit.core.dates import format_date

DEMO_PAYLOAD = (
    "001090000123||Nguyễn Văn Mẫu|01021990|Nam|Số 1, phố Mẫu, phường Trúc Bạch, quận Ba Đình, Hà Nội|15082021"
)
CARD_SIZE = (856, 540)  # 85.6 x 54 mm at 10 pixels a millimetre

_RED = (40, 40, 200)
_INK = (60, 50, 40)


def qr_modules(payload: str, eci: bool = False) -> np.ndarray:
    """The code's modules (1 = dark), as a card's generator writes them: UTF-8 bytes, ECI marker optional."""
    mode = None if payload.isascii() else "byte"  # never let segno pick Kanji mode for UTF-8 bytes
    qr = segno.make_qr(payload, encoding="utf-8", eci=eci, mode=mode, error="m")
    return np.array(qr.matrix, dtype=np.uint8)


def render_qr(payload: str, module_px: int, border: int = 4, eci: bool = False) -> np.ndarray:
    """The code alone as a grey image: black modules on white, `border` modules of quiet zone."""
    modules = np.pad(qr_modules(payload, eci), border)
    image = np.where(modules > 0, 0, 255).astype(np.uint8)
    return np.kron(image, np.ones((module_px, module_px), np.uint8))


def demo_card(payload: str = DEMO_PAYLOAD, module_px: int = 4) -> np.ndarray:
    """The front of the card (BGR) with `payload` in its QR code at the top right."""
    width, height = CARD_SIZE
    card = _background(width, height)
    cv2.circle(card, (70, 70), 42, _RED, -1)
    cv2.circle(card, (70, 70), 20, (0, 215, 255), -1)
    _text(card, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", (130, 52), 0.62, _RED, 2)
    _text(card, "Độc lập - Tự do - Hạnh phúc", (210, 82), 0.55, _RED, 1)
    _text(card, "CĂN CƯỚC CÔNG DÂN", (205, 130), 0.95, _RED, 2)
    _photo(card, (40, 170, 200, 260))
    y = 190
    for label, value in _printed_fields(payload):
        _text(card, label, (260, y), 0.48, _INK, 1)
        _text(card, value, (260, y + 28), 0.68, (20, 20, 20), 2)
        y += 64
    code = render_qr(payload, module_px, border=2)
    side = code.shape[0]
    x0, y0 = width - side - 28, 24
    card[y0 : y0 + side, x0 : x0 + side] = code[:, :, None]
    _stamp(card)
    return card


def demo_poster(code: str = "1.004873") -> np.ndarray:
    """A procedure's notice as a commune posts it, with its QR code, for the demo camera."""
    page = np.full((1100, 780, 3), 250, np.uint8)
    qr = cv2.cvtColor(render_qr(code, module_px=14), cv2.COLOR_GRAY2BGR)
    y, x = 380, (780 - qr.shape[1]) // 2
    page[y : y + qr.shape[0], x : x + qr.shape[1]] = qr
    _text(page, "THỦ TỤC HÀNH CHÍNH", (390, 200), 1.45, (30, 30, 30), 4, anchor="ms")
    _text(page, code, (390, 300), 1.45, (30, 30, 30), 4, anchor="ms")
    return page


def _background(width: int, height: int) -> np.ndarray:
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    wave = 0.5 + 0.5 * np.sin(xs / 23.0 + 3.0 * np.sin(ys / 41.0))  # a faint guilloche, as on banknotes
    base = np.array([236, 240, 226], np.float32)  # pale green-grey, BGR
    card = base[None, None, :] - 10.0 * wave[..., None] - 18.0 * (ys / height)[..., None]
    return np.clip(card, 0, 255).astype(np.uint8)


def _photo(card: np.ndarray, box: tuple[int, int, int, int]) -> None:
    x, y, w, h = box
    card[y : y + h, x : x + w] = (205, 200, 195)
    cv2.circle(card, (x + w // 2, y + h // 3), w // 5, (150, 140, 130), -1)
    cv2.ellipse(card, (x + w // 2, y + h), (w // 2 - 10, h // 3), 0, 180, 360, (150, 140, 130), -1)


def _stamp(card: np.ndarray) -> None:
    overlay = card.copy()
    _text(overlay, "MẪU / SAMPLE", (540, 300), 0.9, _RED, 3)
    cv2.addWeighted(overlay, 0.55, card, 0.45, 0, dst=card)


def _text(
    card: np.ndarray, text: str, origin: tuple[int, int], size: float, colour, thickness: int, anchor: str = "ls"
) -> None:
    """Text with its Vietnamese letters (OpenCV's own fonts have none): `origin` is the left end of the
    baseline (`anchor` "ms": its middle) and `size` a scale as for cv2.putText; `colour` is BGR."""
    picture = Image.fromarray(cv2.cvtColor(card, cv2.COLOR_BGR2RGB))
    face = font(round(size * 34), bold=thickness >= 2, serif=False)
    ImageDraw.Draw(picture).text(origin, text, font=face, fill=tuple(reversed(colour)), anchor=anchor)
    card[:] = cv2.cvtColor(np.asarray(picture), cv2.COLOR_RGB2BGR)


def _printed_fields(payload: str) -> list[tuple[str, str]]:
    """The card's printed lines, as the card prints them."""
    try:
        # The date only matters for the validity checks, which a picture does not need.
        citizen = parse_cccd_qr(payload, date.max).citizen
    except NotCccdPayload:
        return []
    return [
        ("Số / No.", citizen.id_number),
        ("Họ và tên / Full name", citizen.full_name.upper()),
        ("Ngày sinh / Date of birth", format_date(citizen.date_of_birth) if citizen.date_of_birth else ""),
        ("Giới tính / Sex", citizen.sex.portal_text if citizen.sex else ""),
        ("Nơi thường trú / Place of residence", textwrap.shorten(citizen.permanent_address, 36, placeholder="…")),
    ]
