"""`fieldkit qr IMAGE...` and `fieldkit qr --source SOURCE`: read QR codes and say what they mean.

One result per image (one JSON object per line with --json):
`{"image", "codes": [{"text", "format", "quad", "kind"}], "citizen", "procedure", "warnings", "error"}`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fieldkit.camera import open_source
from fieldkit.cli.context import CliContext
from fieldkit.cli.present import citizen_json, problems_json, procedure_json
from fieldkit.core.clock import SystemClock
from fieldkit.core.dates import local_date
from fieldkit.core.errors import FieldKitError, Msg, UserError
from fieldkit.core.i18n import Translator
from fieldkit.qr.democard import demo_card
from fieldkit.qr.image import load_image
from fieldkit.qr.live import LiveReader
from fieldkit.qr.meaning import CardReading, ProcedureReading, Reading, ReceiptReading, interpret, warnings_of
from fieldkit.qr.reader import QrCode, QrReader
from fieldkit.storage.security import is_initialised

ORDER = 25  # after `citizen` in `fieldkit --help`
DEFAULT_TIMEOUT = 30.0
EXIT_NOT_READ = 2  # as a user mistake: the picture or the camera's view is what needs changing
_LAST_FRAME_GRACE = 2.0  # seconds: more than any decode takes within its time budget


def register(commands, tr: Translator) -> None:
    qr = commands.add_parser("qr", help=tr("qr.cli.help"), description=tr("qr.cli.help"))
    qr.add_argument("images", nargs="*", metavar="IMAGE", help=tr("qr.cli.images"))
    qr.add_argument("--source", nargs="?", const="", metavar="SOURCE", help=tr("qr.cli.source"))
    qr.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=tr("qr.cli.timeout", default=int(DEFAULT_TIMEOUT)),
    )
    qr.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    qr.set_defaults(handler=read_qr)


def read_qr(ctx: CliContext) -> int:
    args = ctx.args
    if args.source is not None:
        if args.images:
            raise UserError("error.qr.source_and_images")
        return _read_live(ctx, args.source or getattr(args, "camera", None) or "camera:0")
    if not args.images:
        raise UserError("error.qr.no_input")
    reader = QrReader.create()
    all_read = True
    for name in args.images:
        try:
            codes = reader.read(load_image(Path(name)), exhaustive=True)
        except FieldKitError as exc:
            _show(ctx, name, [], exc.message)
            all_read = False
            continue
        all_read &= _show(ctx, name, codes, None if codes else Msg.of("error.qr.none_found"))
    return 0 if all_read else EXIT_NOT_READ


def _read_live(ctx: CliContext, spec: str) -> int:
    timeout = ctx.args.timeout
    if not timeout > 0:
        raise UserError("error.qr.bad_timeout", seconds=f"{timeout:g}")
    kind = spec.partition(":")[0]
    # The demo camera shows a sample ID card; a file is read frame by frame, a camera always at its latest frame.
    options = {"page": demo_card(), "realtime": True} if kind == "demo" else {}
    live_view = kind in ("demo", "camera")
    ctx.warn(ctx.tr("qr.cli.waiting", source=spec))
    deadline = time.monotonic() + timeout
    ended = True
    with open_source(spec, **options) as source, LiveReader(QrReader.create()) as live:
        for frame in source:
            if live_view:
                live.submit(frame.image, frame.index, frame.timestamp)
            else:
                live.process(frame.image, frame.index, frame.timestamp)
            if live.found.is_set() or time.monotonic() > deadline:
                ended = False
                break
        # A camera's last frame may still be being decoded; a file's frames all were.
        seen = live.wait(min(_LAST_FRAME_GRACE, max(0.0, deadline - time.monotonic()))) if live_view else live.poll()
    if seen:
        _show(ctx, spec, [s.code for s in seen], None)
        return 0
    if ended:
        _show(ctx, spec, [], Msg.of("error.qr.source_ended", source=spec))
    else:
        _show(ctx, spec, [], Msg.of("error.qr.timeout", seconds=f"{timeout:g}", source=spec))
    return EXIT_NOT_READ


def _show(ctx: CliContext, image: str, codes: list[QrCode], error: Msg | None) -> bool:
    """Print one image's result; True when it was read."""
    if is_initialised(ctx.data_dir):  # the kit tells whether the card's holder is known already (a sign-in)
        kit = ctx.kit()
        catalog, citizens, now = kit.catalog, kit.citizens, kit.clock.now()
    else:  # no kit on this machine yet: cards, posters and receipts are read all the same
        catalog, citizens, now = ctx.catalog(), None, SystemClock().now()
    today = local_date(now)
    readings = [interpret(code.text, catalog=catalog, today=today, citizens=citizens) for code in codes]
    if ctx.args.json:
        ctx.json_line(_result_json(image, codes, readings, error, ctx.tr))
    else:
        for line in _result_lines(image, codes, readings, error, ctx.tr):
            print(line)
    return error is None


def _first(readings: list[Reading], kind: type) -> Any:
    return next((r for r in readings if isinstance(r, kind)), None)


def _result_json(
    image: str, codes: list[QrCode], readings: list[Reading], error: Msg | None, tr: Translator
) -> dict[str, Any]:
    card = _first(readings, CardReading)
    citizen = None
    if card is not None:
        citizen = {
            **citizen_json(card.citizen),
            "known": card.known is not None,
            "differences": list(card.differences),
            "needs_decision": bool(card.mismatches),
            "problems": problems_json(card.card.problems, tr),
            "expiry_date": card.card.expiry_date.isoformat() if card.card.expiry_date else None,
        }
    procedure = None
    reading = next((r for r in readings if isinstance(r, ProcedureReading | ReceiptReading)), None)
    if reading is not None:
        code = reading.code if isinstance(reading, ProcedureReading) else reading.receipt.procedure_code
        known = procedure_json(reading.procedure, tr) if reading.procedure else {"code": code}
        procedure = {**known, "code_read": code, "found": reading.procedure is not None}
    warnings = [w for r in readings for w in warnings_of(r)]
    return {
        "image": image,
        "codes": [_code_json(code, r) for code, r in zip(codes, readings, strict=True)],
        "citizen": citizen,
        "procedure": procedure,
        "warnings": problems_json(warnings, tr),
        "error": tr.msg(error) if error else None,
    }


def _code_json(code: QrCode, reading: Reading) -> dict[str, Any]:
    data = {**code.to_json(), "kind": reading.kind}
    if isinstance(reading, ReceiptReading):
        data["receipt"] = {
            "dossier_uuid": reading.receipt.dossier_uuid,
            "procedure_code": reading.receipt.procedure_code,
            "portal_code": reading.receipt.portal_code,
        }
    return data


def _result_lines(
    image: str, codes: list[QrCode], readings: list[Reading], error: Msg | None, tr: Translator
) -> list[str]:
    if error is not None:
        return [f"{image}: {tr('qr.cli.error', text=tr.msg(error))}"]
    lines = [tr("qr.cli.count", image=image, count=len(codes))]
    for code, reading in zip(codes, readings, strict=True):
        lines.append("  " + tr("qr.cli.code", format=code.format, text=code.text))
        if isinstance(reading, CardReading):
            key = "qr.cli.citizen_known" if reading.known else "qr.cli.citizen_new"
            lines.append("  " + tr(key, name=reading.citizen.full_name, id_number=reading.citizen.id_number))
        elif isinstance(reading, ProcedureReading) and reading.procedure is not None:
            lines.append("  " + tr("qr.cli.procedure", code=reading.procedure.code, name=reading.procedure.name))
        elif isinstance(reading, ReceiptReading):
            lines.append("  " + tr("qr.cli.receipt", uuid=reading.receipt.dossier_uuid))
        for warning in warnings_of(reading):
            lines.append("  " + tr("qr.cli.warning", text=tr.problem(warning)))
    return lines
