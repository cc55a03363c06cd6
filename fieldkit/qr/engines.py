"""The two QR decoders FieldKit drives: zxing-cpp (first: reads more, faster) and zbar through pyzbar (second).

Each takes a uint8 grey image and returns what it found, with the symbol's corners in that image's pixels.
Neither is allowed to raise on a picture: a decoder failure is logged by its type and counts as "nothing found".
"""

from __future__ import annotations

import logging
from ctypes import byref, c_uint, c_void_p, cast, string_at
from dataclasses import dataclass
from typing import Any

import numpy as np

from fieldkit.qr.charset import looks_garbled, repair_mojibake, text_from_bytes

log = logging.getLogger(__name__)

Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class Found:
    """One symbol a decoder read (`text` set) or located but could not read (`text` None: a place to look closer)."""

    text: str | None
    format: str
    quad: Quad
    engine: str


def _quad(points: list[tuple[float, float]]) -> Quad:
    return tuple((float(x), float(y)) for x, y in points)  # type: ignore[return-value]


class ZxingEngine:
    """zxing-cpp, restricted to QR and Micro QR (the other symbologies only cost time here)."""

    name = "zxing-cpp"

    def __init__(self) -> None:
        import zxingcpp

        self._zx = zxingcpp
        self._formats = zxingcpp.barcode_formats_from_str("QRCode,MicroQRCode")
        self._binarizers = {
            "local": zxingcpp.Binarizer.LocalAverage,
            "global": zxingcpp.Binarizer.GlobalHistogram,
        }
        self._options = self._supported_options()

    def _supported_options(self) -> dict[str, Any]:
        """The search options this zxing-cpp version knows (older ones lack some); unknown ones are left out."""
        wanted = {"try_rotate": True, "try_downscale": True, "try_invert": True, "return_errors": True}
        probe = np.full((32, 32), 255, np.uint8)
        for name in list(wanted):
            try:
                self._zx.read_barcodes(probe, formats=self._formats, **{name: wanted[name]})
            except TypeError:
                del wanted[name]
        return wanted

    def read(self, grey: np.ndarray, binarizer: str = "local") -> list[Found]:
        try:
            results = self._zx.read_barcodes(
                grey, formats=self._formats, binarizer=self._binarizers[binarizer], **self._options
            )
        except Exception as exc:  # a decoder bug must not take the reader down
            log.warning("zxing-cpp failed on a %sx%s image: %s", grey.shape[1], grey.shape[0], type(exc).__name__)
            return []
        found = []
        for result in results:
            p = result.position
            quad = _quad([(p.top_left.x, p.top_left.y), (p.top_right.x, p.top_right.y),
                          (p.bottom_right.x, p.bottom_right.y), (p.bottom_left.x, p.bottom_left.y)])  # fmt: skip
            format_name = getattr(result.format, "name", str(result.format))
            if getattr(result, "valid", True) and not getattr(result, "error", None):
                text = text_from_bytes(bytes(result.bytes), result.text)
                found.append(Found(text, format_name, quad, self.name))
            else:
                found.append(Found(None, format_name, quad, self.name))
        return found


# zbar's "don't convert binary data to text" switch (ZBAR_CFG_BINARY, zbar >= 0.23): the raw bytes, which
# we decode ourselves. Older zbar (the one bundled in pyzbar's Windows wheels) refuses it; then its own
# guess at the charset comes back and is repaired.
_ZBAR_CFG_BINARY = 4
_Y800 = 0x30303859  # fourcc of 8-bit grey


class ZbarEngine:
    """zbar, called through pyzbar's ctypes bindings.

    Not `pyzbar.decode`: it asks zbar for each symbol's orientation, which raises ValueError on some codes
    and throws away every result of the image with it; and it cannot ask for raw bytes.
    """

    name = "zbar"

    def __init__(self, wrapper: Any) -> None:
        self._w = wrapper
        self.binary = self._probe_binary()

    @classmethod
    def load(cls) -> ZbarEngine | None:
        """The engine, or None (with a warning in the log) when pyzbar or the zbar library cannot be loaded."""
        try:
            from pyzbar import wrapper

            major, minor = c_uint(), c_uint()
            wrapper.zbar_version(byref(major), byref(minor))
            return cls(wrapper)
        except Exception as exc:  # ImportError, OSError, AttributeError on odd builds: all mean "no zbar"
            log.warning("zbar is not available (%s); reading QR codes with zxing-cpp only", type(exc).__name__)
            return None

    def _scanner(self) -> Any:
        w = self._w
        scanner = w.zbar_image_scanner_create()
        if not scanner:
            raise MemoryError("zbar_image_scanner_create")
        w.zbar_image_scanner_set_config(scanner, 0, w.ZBarConfig.CFG_ENABLE, 0)  # 0 = every symbology: off
        w.zbar_image_scanner_set_config(scanner, w.ZBarSymbol.QRCODE, w.ZBarConfig.CFG_ENABLE, 1)
        return scanner

    def _probe_binary(self) -> bool:
        try:
            scanner = self._scanner()
        except Exception:
            return False
        try:
            return self._w.zbar_image_scanner_set_config(scanner, self._w.ZBarSymbol.QRCODE, _ZBAR_CFG_BINARY, 1) == 0
        finally:
            self._w.zbar_image_scanner_destroy(scanner)

    def read(self, grey: np.ndarray) -> list[Found]:
        try:
            return self._read(grey)
        except Exception as exc:
            log.warning("zbar failed on a %sx%s image: %s", grey.shape[1], grey.shape[0], type(exc).__name__)
            return []

    def _read(self, grey: np.ndarray) -> list[Found]:
        w = self._w
        height, width = grey.shape
        pixels = np.ascontiguousarray(grey, np.uint8).tobytes()
        scanner = self._scanner()
        try:
            if self.binary:
                w.zbar_image_scanner_set_config(scanner, w.ZBarSymbol.QRCODE, _ZBAR_CFG_BINARY, 1)
            image = w.zbar_image_create()
            if not image:
                raise MemoryError("zbar_image_create")
            try:
                w.zbar_image_set_format(image, _Y800)
                w.zbar_image_set_size(image, width, height)
                w.zbar_image_set_data(image, cast(pixels, c_void_p), len(pixels), None)
                if w.zbar_scan_image(scanner, image) <= 0:
                    return []
                return [self._found(symbol) for symbol in self._symbols(image)]
            finally:
                w.zbar_image_destroy(image)
        finally:
            w.zbar_image_scanner_destroy(scanner)

    def _symbols(self, image: Any) -> list[Any]:
        symbols = []
        symbol = self._w.zbar_image_first_symbol(image)
        while symbol:
            symbols.append(symbol)
            symbol = self._w.zbar_symbol_next(symbol)
        return symbols

    def _found(self, symbol: Any) -> Found:
        w = self._w
        data = string_at(w.zbar_symbol_get_data(symbol), w.zbar_symbol_get_data_length(symbol))
        # Without the binary switch zbar has converted to UTF-8 from its own guess of the charset.
        text = text_from_bytes(data) if self.binary else repair_mojibake(data.decode("utf-8", errors="replace"))
        if not self.binary and looks_garbled(text):
            text = None  # a guess that could not be undone: better unread than wrong
        points = [(w.zbar_symbol_get_loc_x(symbol, i), w.zbar_symbol_get_loc_y(symbol, i))
                  for i in range(w.zbar_symbol_get_loc_size(symbol))]  # fmt: skip
        return Found(text, "QRCode", _zbar_quad(points), self.name)


def _zbar_quad(points: list[tuple[int, int]]) -> Quad:
    """zbar lists a QR symbol's corners as top-left, bottom-left, bottom-right, top-right (of the symbol)."""
    if len(points) == 4:
        tl, bl, br, tr = points
        return _quad([tl, tr, br, bl])
    xs = [p[0] for p in points] or [0]
    ys = [p[1] for p in points] or [0]
    return _quad([(min(xs), min(ys)), (max(xs), min(ys)), (max(xs), max(ys)), (min(xs), max(ys))])
