"""Where frames come from: a webcam, a video file, a folder of images, or the demo camera.

    with open_source("demo") as source:
        for frame in source:
            ...

Used by the scanner (pages) and the QR reader (ID cards, procedure posters); never imports Qt.
"""

from fieldkit.camera.sources import CameraError, Frame, FrameSource, open_source

__all__ = ["CameraError", "Frame", "FrameSource", "open_source"]
