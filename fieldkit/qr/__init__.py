"""QR codes: reading them from pictures and webcam frames, and what they mean (ID card, procedure, receipt).

    reader = QrReader.create()
    codes = reader.read(frame)            # every code: text, format, corners in the frame
    reading = interpret(codes[0].text, catalog=kit.catalog, today=today, citizens=kit.citizens)

`LiveReader` decodes preview frames on its own thread; `receipt` makes the QR code of a citizen's receipt.
"""

from fieldkit.qr.live import CodeSeen, LiveReader
from fieldkit.qr.meaning import (
    CardReading,
    ProcedureReading,
    Reading,
    ReceiptReading,
    TextReading,
    interpret,
    warnings_of,
)
from fieldkit.qr.reader import QrCode, QrReader

__all__ = [
    "CardReading",
    "CodeSeen",
    "LiveReader",
    "ProcedureReading",
    "QrCode",
    "QrReader",
    "Reading",
    "ReceiptReading",
    "TextReading",
    "interpret",
    "warnings_of",
]
