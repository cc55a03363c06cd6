"""Undoing motion blur on a small patch: a hand or a card moving while the webcam's shutter is open.

A straight movement during the exposure smears each point into a short line. Its direction and length are
not known, so a few likely ones are tried (`motion_kernels`) and each is undone with a Wiener filter, which
divides the blur out where it left signal and stays cautious where noise dominates. The result is only a
guess at the sharp patch: whatever a decoder reads from it must be confirmed (see the reader).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

# Directions every 22.5 degrees: the nearest is at most 11 degrees off, a pixel across at 7 px of smear.
_ANGLES = tuple(range(0, 180, 45)) + tuple(a + 22.5 for a in range(0, 180, 45))
_LENGTHS = (5.0, 7.0)  # px; shorter smears are read after plain sharpening
# Noise-to-signal ratio of the Wiener filter: higher is safer on noisy, JPEG-compressed frames, lower is sharper.
_NSR = 0.02


def line_kernel(length: float, degrees: float) -> np.ndarray:
    """A straight smear of `length` pixels in direction `degrees` (image axes: x right, y down), summing to 1."""
    size = math.ceil(length) | 1
    size += 2  # room for the bilinear spread of the ends
    kernel = np.zeros((size, size), np.float32)
    centre = size // 2
    dx, dy = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    for t in np.linspace(-(length - 1) / 2, (length - 1) / 2, int(length * 4)):
        x, y = centre + t * dx, centre + t * dy
        x0, y0 = math.floor(x), math.floor(y)
        fx, fy = x - x0, y - y0
        kernel[y0, x0] += (1 - fx) * (1 - fy)
        kernel[y0, x0 + 1] += fx * (1 - fy)
        kernel[y0 + 1, x0] += (1 - fx) * fy
        kernel[y0 + 1, x0 + 1] += fx * fy
    return kernel / kernel.sum()


def motion_kernels() -> list[np.ndarray]:
    """The smears tried, most common (shorter) first."""
    return [line_kernel(length, angle) for length in _LENGTHS for angle in _ANGLES]


class Deblurrer:
    """One patch's spectrum, computed once, undone with one kernel after another."""

    def __init__(self, patch: np.ndarray, pad: int = 8) -> None:
        self._pad = pad
        self._shape = patch.shape
        # Mirrored edges: a hard border would ring across the whole patch.
        padded = cv2.copyMakeBorder(patch.astype(np.float32), pad, pad, pad, pad, cv2.BORDER_REFLECT)
        self._padded_shape = padded.shape
        self._spectrum = np.fft.rfft2(padded)

    def undo(self, kernel: np.ndarray, nsr: float = _NSR) -> np.ndarray:
        """The patch with `kernel`'s blur divided out (uint8, same size)."""
        spread = np.zeros(self._padded_shape, np.float32)
        kh, kw = kernel.shape
        spread[:kh, :kw] = kernel
        spread = np.roll(spread, (-(kh // 2), -(kw // 2)), (0, 1))  # centred on the origin: no shift
        k = np.fft.rfft2(spread)
        sharp = np.fft.irfft2(self._spectrum * np.conj(k) / (np.abs(k) ** 2 + nsr), s=self._padded_shape)
        p = self._pad
        h, w = self._shape
        return np.clip(sharp[p : p + h, p : p + w], 0, 255).astype(np.uint8)
