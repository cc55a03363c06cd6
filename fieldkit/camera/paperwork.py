"""Real-looking papers to put in front of the demo camera and the scanner benchmark: Vietnamese forms with
tables, stamps and signatures, text pages, and the chip ID card (CCCD), front and back.

Content is rendered with a TrueType font (DejaVu, shipped by Debian's fonts-dejavu-core) so diacritics are
right. Every page also returns its text lines, so OCR can be scored against what was printed.
The people, numbers and places are made up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/Library/Fonts"),
    Path("/System/Library/Fonts/Supplemental"),
    Path("C:/Windows/Fonts"),
)

FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ")
MIDDLE_NAMES = ("Văn", "Thị", "Hữu", "Đức", "Ngọc", "Minh", "Thanh", "Quang", "Xuân")
GIVEN_NAMES = ("An", "Bình", "Cường", "Dũng", "Hà", "Hương", "Lan", "Mai", "Nam", "Phúc", "Quỳnh", "Sơn", "Thảo")
PLACES = (
    "Thôn Phú Lương, xã Phong Hiền",
    "Số 5, ngõ 12, phường Trúc Bạch",
    "Ấp Tân Hòa, xã Long Điền",
    "Tổ 3, khu phố Hưng Thịnh",
    "Thôn Đông Xá, xã Quảng Điền",
    "Bản Nà Sản, xã Chiềng Mung",
)
SENTENCES = (
    "Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật.",
    "Đề nghị Ủy ban nhân dân xã xác nhận tình trạng hôn nhân để làm thủ tục đăng ký kết hôn.",
    "Hồ sơ gồm tờ khai, bản sao giấy khai sinh và giấy tờ chứng minh nơi cư trú hợp pháp.",
    "Người yêu cầu nộp hồ sơ trực tuyến trên Cổng dịch vụ công quốc gia và nhận kết quả tại nhà.",
    "Thời hạn giải quyết là ba ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ theo quy định.",
    "Trường hợp cần xác minh thêm, thời hạn được kéo dài không quá năm ngày làm việc.",
    "Cán bộ tư pháp hộ tịch kiểm tra, ghi vào sổ và trình Chủ tịch Ủy ban nhân dân ký cấp.",
    "Giấy xác nhận có giá trị sáu tháng kể từ ngày cấp và chỉ dùng cho mục đích đã ghi.",
    "Đối với người cao tuổi, người khuyết tật, tổ công nghệ số cộng đồng hỗ trợ tại nhà.",
    "Bản chụp các giấy tờ phải rõ nét, đầy đủ, toàn vẹn nội dung, không cần chứng thực.",
)
FIELDS = (
    ("Họ, chữ đệm, tên người yêu cầu", "{name}"),
    ("Nơi cư trú", "{place}"),
    ("Giấy tờ tùy thân", "Căn cước số {id}"),
    ("Ngày, tháng, năm sinh", "{dob}"),
    ("Giới tính", "{sex}"),
    ("Quốc tịch", "Việt Nam"),
    ("Dân tộc", "Kinh"),
    ("Số điện thoại", "09{phone}"),
    ("Mục đích sử dụng", "Để đăng ký kết hôn"),
)
TITLES = (
    "TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
    "TỜ KHAI ĐĂNG KÝ KHAI SINH",
    "TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ",
    "ĐƠN ĐỀ NGHỊ CẤP BẢN SAO TRÍCH LỤC",
)
INK = (20, 20, 20)
BLUE_INK = (30, 30, 110)
STAMP_RED = (200, 35, 35)


@dataclass(frozen=True)
class Paperwork:
    image: np.ndarray  # BGR uint8
    text: list[str]  # the lines printed on it, top to bottom (for OCR scoring)
    kind: str  # "a4", "id-card"...


@cache
def font(size: int, bold: bool = False, serif: bool = True) -> ImageFont.FreeTypeFont:
    """A font with the Vietnamese letters: DejaVu (installed by setup on Linux), else the one Windows and macOS
    ship (Times New Roman, Arial); Pillow's own font, which has none of them, only as a last resort."""
    dejavu = ("DejaVuSerif" if serif else "DejaVuSans") + ("-Bold" if bold else "") + ".ttf"
    system = ("times" if serif else "arial") + ("bd" if bold else "") + ".ttf"
    for folder in FONT_DIRS:
        for name in (dejavu, system):
            if (folder / name).is_file():
                return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size)


def _person(rng: np.random.Generator) -> dict[str, str]:
    pick = lambda items: items[int(rng.integers(len(items)))]  # noqa: E731
    return {
        "name": f"{pick(FAMILY_NAMES)} {pick(MIDDLE_NAMES)} {pick(GIVEN_NAMES)}",
        "place": pick(PLACES),
        "id": f"0{int(rng.integers(1, 96)):02d}{int(rng.integers(0, 4))}{int(rng.integers(50, 99))}"
        f"{int(rng.integers(0, 999999)):06d}",
        "dob": f"{int(rng.integers(1, 29)):02d}/{int(rng.integers(1, 13)):02d}/{int(rng.integers(1940, 2005))}",
        "sex": pick(("Nam", "Nữ")),
        "phone": f"{int(rng.integers(0, 99999999)):08d}",
    }


class _Writer:
    """Draws lines of text that never run past the right margin (long lines wrap, words never split)."""

    def __init__(self, draw: ImageDraw.ImageDraw, left: int, right: int) -> None:
        self.draw, self.left, self.right = draw, left, right
        self.lines: list[str] = []

    def wrap(self, text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
        lines, current = [], ""
        for word in text.split():
            trial = f"{current} {word}".strip()
            if current and self.draw.textlength(trial, font=face) > width:
                lines.append(current)
                current = word
            else:
                current = trial
        return [*lines, current] if current else lines

    def paragraph(self, y: int, text: str, face, fill=INK, centre: bool = False, spacing: float = 1.45) -> int:
        for line in self.wrap(text, face, self.right - self.left):
            width = self.draw.textlength(line, font=face)
            x = (self.left + self.right - width) / 2 if centre else self.left
            self.draw.text((x, y), line, font=face, fill=fill)
            self.lines.append(line)
            y += int(face.size * spacing)
        return y


def form_page(rng: np.random.Generator, width: int = 1240, height: int = 1754) -> Paperwork:
    """An A4 declaration (tờ khai) at 150 dpi: national motto, title, filled-in fields, a table, a stamp."""
    page = Image.new("RGB", (width, height), _paper_tint(rng))
    draw = ImageDraw.Draw(page)
    margin = int(width * 0.09)
    writer = _Writer(draw, margin, width - margin)
    unit = width / 1240
    person = _person(rng)
    y = int(70 * unit)
    y = writer.paragraph(y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font(int(34 * unit), True), centre=True)
    y = writer.paragraph(y, "Độc lập - Tự do - Hạnh phúc", font(int(30 * unit), True), centre=True)
    draw.line((width * 0.35, y + 4, width * 0.65, y + 4), fill=INK, width=max(1, int(2 * unit)))
    y += int(60 * unit)
    title = TITLES[int(rng.integers(len(TITLES)))]
    y = writer.paragraph(y, title, font(int(36 * unit), True), centre=True, spacing=1.3)
    y = writer.paragraph(y, "Kính gửi: Ủy ban nhân dân xã Phong Hiền", font(int(28 * unit)), centre=True)
    y += int(40 * unit)
    label_face, value_face = font(int(26 * unit)), font(int(26 * unit), True)
    column = margin + int(470 * unit)
    for label, value in FIELDS[: int(rng.integers(6, len(FIELDS) + 1))]:
        text = value.format(**person)
        draw.text((margin, y), f"{label}:", font=label_face, fill=INK)
        draw.text((column, y), text, font=value_face, fill=BLUE_INK)
        draw.line((column - 8, y + int(40 * unit), width - margin, y + int(40 * unit)), fill=(140, 140, 140))
        writer.lines.append(f"{label}: {text}")
        y += int(68 * unit)
    y += int(20 * unit)
    y = _table(draw, writer, rng, margin, y, width - margin, unit)
    y += int(30 * unit)
    for _ in range(int(rng.integers(1, 3))):
        y = writer.paragraph(y, SENTENCES[int(rng.integers(len(SENTENCES)))], font(int(26 * unit)))
    y += int(30 * unit)
    sign_x = int(width * 0.58)
    place_line = f"Phong Hiền, ngày {int(rng.integers(1, 29))} tháng {int(rng.integers(1, 13))} năm 2026"
    place_face = font(int(24 * unit), serif=True)
    draw.text((sign_x - int(60 * unit), y), place_line, font=place_face, fill=INK)
    writer.lines.append(place_line)
    y += int(45 * unit)
    draw.text((sign_x + int(40 * unit), y), "Người yêu cầu", font=font(int(26 * unit), True), fill=INK)
    writer.lines.append("Người yêu cầu")
    y += int(40 * unit)
    if y + 200 * unit < height:
        _stamp(draw, (sign_x + int(150 * unit), y + int(100 * unit)), int(95 * unit), rng)
        _signature(draw, rng, sign_x + int(60 * unit), y + int(70 * unit), unit)
        draw.text((sign_x + int(30 * unit), y + int(200 * unit)), person["name"], font=value_face, fill=BLUE_INK)
    return Paperwork(_bgr(page), writer.lines, "a4")


def text_page(rng: np.random.Generator, width: int = 1240, height: int = 1754) -> Paperwork:
    """An A4 page of running text: a guidance sheet or a letter."""
    page = Image.new("RGB", (width, height), _paper_tint(rng))
    draw = ImageDraw.Draw(page)
    unit = width / 1240
    margin = int(width * 0.1)
    writer = _Writer(draw, margin, width - margin)
    y = writer.paragraph(int(90 * unit), "HƯỚNG DẪN NỘP HỒ SƠ TRỰC TUYẾN", font(int(34 * unit), True), centre=True)
    y += int(30 * unit)
    body = font(int(27 * unit))
    while y < height - 200 * unit:
        sentences = [SENTENCES[int(rng.integers(len(SENTENCES)))] for _ in range(int(rng.integers(2, 4)))]
        y = writer.paragraph(y, " ".join(sentences), body) + int(22 * unit)
    return Paperwork(_bgr(page), writer.lines, "a4")


def id_card(rng: np.random.Generator, back: bool = False, width: int = 1012) -> Paperwork:
    """The chip ID card (CCCD) at about 300 dpi, front (photo, name, number) or back (chip, QR-like code, MRZ)."""
    height = round(width * 53.98 / 85.6)
    card = Image.new("RGB", (width, height), (236, 238, 230))
    draw = ImageDraw.Draw(card)
    unit = width / 1012
    lines: list[str] = []
    # The guilloche: fine pale waves that make the card's surface busy.
    for k in range(0, height, max(3, int(9 * unit))):
        points = [(x, k + 6 * math.sin(x / (25 * unit) + k)) for x in range(0, width, 8)]
        draw.line(points, fill=(200, 214, 222), width=1)
    person = _person(rng)
    if not back:
        # As on the 2021 chip card: the emblem top left, the QR code top right, the title in red on the pale card.
        emblem = (int(90 * unit), int(60 * unit))
        draw.ellipse(
            (emblem[0] - 42 * unit, emblem[1] - 42 * unit, emblem[0] + 42 * unit, emblem[1] + 42 * unit),
            fill=(205, 40, 40),
            outline=(200, 160, 40),
            width=max(2, int(4 * unit)),
        )
        draw.polygon(_star(*emblem, 24 * unit), fill=(240, 200, 60))
        _qr_like(draw, rng, int(850 * unit), int(20 * unit), int(140 * unit))
        for text, size, y, colour in (
            ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 25, 14, (30, 40, 90)),
            ("Độc lập - Tự do - Hạnh phúc", 22, 44, (30, 40, 90)),
            ("CĂN CƯỚC CÔNG DÂN", 34, 74, (200, 30, 30)),
        ):
            face = font(int(size * unit), True, serif=False)
            x = (width - draw.textlength(text, font=face)) / 2
            draw.text((x, int(y * unit)), text, font=face, fill=colour)
            lines.append(text)
        _face_photo(card, (int(40 * unit), int(150 * unit), int(280 * unit), int(460 * unit)), rng)
        fields = (
            ("Số / No.:", person["id"]),
            ("Họ và tên / Full name:", person["name"].upper()),
            ("Ngày sinh / Date of birth:", person["dob"]),
            ("Giới tính / Sex:", person["sex"]),
            ("Quê quán / Place of origin:", person["place"]),
        )
        y = int(135 * unit)
        for label, value in fields:
            draw.text((int(310 * unit), y), label, font=font(int(22 * unit), serif=False), fill=(50, 50, 50))
            draw.text((int(310 * unit), y + int(26 * unit)), value, font=font(int(27 * unit), True), fill=INK)
            lines.append(f"{label} {value}")
            y += int(70 * unit)
    else:
        draw.rounded_rectangle(
            (int(60 * unit), int(60 * unit), int(200 * unit), int(170 * unit)),
            radius=int(14 * unit),
            fill=(212, 175, 55),
        )
        _qr_like(draw, rng, int(780 * unit), int(40 * unit), int(190 * unit))
        text = f"Ngày cấp: {person['dob'][:6]}2021  Cục trưởng Cục Cảnh sát QLHC về TTXH"
        draw.text((int(260 * unit), int(90 * unit)), text, font=font(int(22 * unit), serif=False), fill=INK)
        lines.append(text)
        mono = font(int(34 * unit), serif=False)
        for k in range(3):
            row = "".join(chr(int(c)) for c in rng.integers(65, 91, 30))
            draw.text((int(40 * unit), int((380 + 56 * k) * unit)), row, font=mono, fill=INK)
            lines.append(row)
    return Paperwork(_bgr(card), lines, "id-card")


def random_paperwork(rng: np.random.Generator, width: int = 1240) -> Paperwork:
    roll = rng.random()
    if roll < 0.55:
        return form_page(rng, width, round(width * 297 / 210))
    if roll < 0.8:
        return text_page(rng, width, round(width * 297 / 210))
    return id_card(rng, back=bool(rng.random() < 0.4), width=min(width, 1012))


def with_photo_to_edge(page: np.ndarray, rng: np.random.Generator, share: float = 0.45) -> np.ndarray:
    """The page with a colour photo printed across its top `share`, out to the paper's edges, as a magazine
    or a brochure prints one: the blank rest of the page then makes a clean outline of its own."""
    height, width = page.shape[:2]
    band = max(1, round(height * share))
    # A scene's look: a textured ground under a few large soft shapes of colour.
    photo = np.empty((band, width, 3), np.float32)
    photo[:] = rng.uniform(40, 200, 3)
    photo += rng.normal(0, 18, (band, width, 1)).astype(np.float32)
    for _ in range(5):
        mask = np.zeros((band, width), np.float32)
        centre = (int(rng.uniform(0, width)), int(rng.uniform(0, band)))
        radius = int(rng.uniform(0.15, 0.45) * min(width, band))
        cv2.circle(mask, centre, radius, 1.0, -1)
        mask = cv2.GaussianBlur(mask, (0, 0), max(1.0, radius * 0.3))[..., None]
        photo = photo * (1 - mask) + rng.uniform(0, 255, 3).astype(np.float32) * mask
    printed = page.copy()
    printed[:band] = np.clip(photo, 0, 255).astype(np.uint8)
    return printed


def as_webcam_gives(page: np.ndarray, height: int, rng: np.random.Generator, blur: float = 1.2) -> np.ndarray:
    """A flat page as a webcam's flattened capture gives it: `height` pixels high (about 1000 at 1080p, 650 at
    720p, 430 at 480p for an A4 page that fills the view), soft (`blur`, sigma in pixels) and noisy."""
    width = round(page.shape[1] * height / page.shape[0])
    small = cv2.GaussianBlur(cv2.resize(page, (width, height), interpolation=cv2.INTER_AREA), (0, 0), blur)
    return np.clip(small + rng.normal(0, 4, small.shape), 0, 255).astype(np.uint8)


def write_samples(folder: Path, seed: int = 22) -> list[Path]:
    """(Re)make the sample documents shipped in resources/samples/."""
    rng = np.random.default_rng(seed)
    samples = {
        "demo-page.png": form_page(rng).image,
        "demo-page-2.png": text_page(rng).image,
        "id-card-front.png": id_card(rng).image,
        "id-card-back.png": id_card(rng, back=True).image,
    }
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, image in samples.items():
        path = folder / name
        cv2.imwrite(str(path), image, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        written.append(path)
    return written


# -- pieces --------------------------------------------------------------------------------------------------


def _paper_tint(rng: np.random.Generator) -> tuple[int, int, int]:
    base = int(rng.integers(238, 252))
    return (base, base - int(rng.integers(0, 5)), base - int(rng.integers(2, 12)))


def _table(draw, writer: _Writer, rng, left: int, top: int, right: int, unit: float) -> int:
    columns = [left, left + int((right - left) * 0.28), left + int((right - left) * 0.63), right]
    rows = int(rng.integers(2, 5))
    row_h = int(50 * unit)
    header = ("Thời gian", "Nơi cư trú", "Ghi chú")
    bold, plain = font(int(23 * unit), True), font(int(23 * unit))
    for r in range(rows + 1):
        y = top + r * row_h
        cells = header if r == 0 else (f"{2000 + 3 * r} - {2003 + 3 * r}", PLACES[r % len(PLACES)].split(",")[0], "")
        for c, text in enumerate(cells):
            draw.text((columns[c] + int(10 * unit), y + int(12 * unit)), text, font=bold if r == 0 else plain, fill=INK)
        writer.lines.append(" ".join(t for t in cells if t))
    bottom = top + (rows + 1) * row_h
    line = max(1, int(2 * unit))
    for r in range(rows + 2):
        draw.line((left, top + r * row_h, right, top + r * row_h), fill=INK, width=line)
    for x in columns:
        draw.line((x, top, x, bottom), fill=INK, width=line)
    return bottom


def _stamp(draw, centre: tuple[int, int], radius: int, rng) -> None:
    x, y = centre
    for r, w in ((radius, 6), (int(radius * 0.78), 3)):
        draw.ellipse((x - r, y - r, x + r, y + r), outline=STAMP_RED, width=w)
    draw.polygon(_star(x, y, radius * 0.3), fill=STAMP_RED)
    face = font(max(10, radius // 6), True, serif=False)
    for k, ch in enumerate("ỦY BAN NHÂN DÂN XÃ"):
        angle = math.pi * (1.1 + k / 17 * 0.8)
        draw.text(
            (x + 0.88 * radius * math.cos(angle) - 6, y + 0.88 * radius * math.sin(angle) - 8),
            ch,
            font=face,
            fill=STAMP_RED,
        )


def _star(x: float, y: float, r: float) -> list[tuple[float, float]]:
    points = []
    for k in range(10):
        radius = r if k % 2 == 0 else r * 0.4
        angle = -math.pi / 2 + k * math.pi / 5
        points.append((x + radius * math.cos(angle), y + radius * math.sin(angle)))
    return points


def _signature(draw, rng, x: int, y: int, unit: float) -> None:
    points = []
    for k in range(40):
        t = k / 39
        points.append((x + t * 220 * unit, y + 25 * unit * math.sin(t * 9 + rng.random()) + rng.normal(0, 2)))
    draw.line(points, fill=BLUE_INK, width=max(2, int(3 * unit)))


def _face_photo(card: Image.Image, box: tuple[int, int, int, int], rng) -> None:
    """A stand-in portrait, drawn on its own small picture so nothing spills past the photo's frame."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    photo = Image.new("RGB", (w, h), (205, 215, 235))
    pen = ImageDraw.Draw(photo)
    skin = (int(rng.integers(170, 215)), int(rng.integers(130, 170)), int(rng.integers(100, 140)))
    cx = w / 2
    pen.ellipse((cx - w * 0.42, h * 0.62, cx + w * 0.42, h * 1.5), fill=(40, 45, 60))  # shoulders
    pen.ellipse((cx - w * 0.25, h * 0.18, cx + w * 0.25, h * 0.68), fill=skin)  # face
    pen.chord((cx - w * 0.27, h * 0.12, cx + w * 0.27, h * 0.5), 180, 360, fill=(25, 20, 20))  # hair
    card.paste(photo, (x0, y0))


def _qr_like(draw, rng, x: int, y: int, size: int) -> None:
    cells = 25
    cell = size / cells
    modules = rng.random((cells, cells)) < 0.5
    for i in range(cells):
        for j in range(cells):
            finder = any(i in rr and j in cc for rr, cc in _FINDERS)
            if finder or modules[i, j]:
                if finder and not _finder_on(i, j):
                    continue
                draw.rectangle((x + j * cell, y + i * cell, x + (j + 1) * cell, y + (i + 1) * cell), fill=INK)


_FINDERS = ((range(0, 7), range(0, 7)), (range(0, 7), range(18, 25)), (range(18, 25), range(0, 7)))


def _finder_on(i: int, j: int) -> bool:
    a, b = i % 18 if i >= 18 else i, j % 18 if j >= 18 else j
    ring = max(abs(a - 3), abs(b - 3))
    return ring != 2


def _bgr(image: Image.Image) -> np.ndarray:
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)
