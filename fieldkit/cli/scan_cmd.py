"""`fieldkit scan`: photographs or a camera -> one PDF (optionally attached to a dossier's document slot).

fieldkit scan IMAGE... -o OUT.pdf [--mode color|gray|bw] [--paper auto|a4|a5|letter|id-card]
fieldkit scan --detect-only --json IMAGE...
fieldkit scan --source demo|camera:0|video:PATH --auto --pages N -o OUT.pdf
"""

from __future__ import annotations

import logging
from pathlib import Path

from fieldkit.camera import CameraError, open_source
from fieldkit.cli.context import CliContext
from fieldkit.core.catalog import PAPER_KINDS
from fieldkit.core.errors import FieldKitError, UserError
from fieldkit.core.i18n import Translator
from fieldkit.core.settings import option
from fieldkit.scanner.detect import PageDetector
from fieldkit.scanner.document import make_pdf, scan_photos, write_atomically
from fieldkit.scanner.enhance import Mode
from fieldkit.scanner.images import read_image
from fieldkit.scanner.pages import PageList
from fieldkit.scanner.paper import Paper, paper_for
from fieldkit.scanner.pdf import PdfResult
from fieldkit.scanner.session import CaptureSession, LiveView
from fieldkit.storage.dossier_service import DossierService

ORDER = 40  # place in `fieldkit --help`
log = logging.getLogger(__name__)
CAPTURE_FRAME_LIMIT = 30 * 180  # three minutes of a 30 fps camera without the pages asked for: give up


def register(commands, tr: Translator) -> None:
    scan = commands.add_parser("scan", help=tr("cli.scan.help"), description=tr("cli.scan.description"))
    scan.add_argument("images", nargs="*", metavar="IMAGE", help=tr("cli.scan.arg.images"))
    scan.add_argument("-o", "--output", metavar="OUT.pdf", help=tr("cli.scan.opt.output"))
    scan.add_argument("--mode", choices=[m.value for m in Mode], default=None, help=tr("cli.scan.opt.mode"))
    scan.add_argument("--paper", choices=PAPER_KINDS, default="auto", help=tr("cli.scan.opt.paper"))
    scan.add_argument("--no-rotate", action="store_true", help=tr("cli.scan.opt.no_rotate"))
    scan.add_argument("--detect-only", action="store_true", help=tr("cli.scan.opt.detect_only"))
    scan.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    scan.add_argument("--source", metavar="SOURCE", help=tr("cli.scan.opt.source"))
    scan.add_argument("--auto", action="store_true", help=tr("cli.scan.opt.auto"))
    scan.add_argument("--pages", type=int, default=1, metavar="N", help=tr("cli.scan.opt.pages"))
    scan.add_argument("--max-frames", type=int, metavar="N", help=tr("cli.scan.opt.max_frames"))
    scan.add_argument("--dossier", metavar="ID", help=tr("cli.scan.opt.dossier"))
    scan.add_argument("--slot", metavar="CODE", help=tr("cli.scan.opt.slot"))
    scan.set_defaults(handler=run_scan)


def run_scan(ctx: CliContext) -> int:
    args = ctx.args
    if args.detect_only:
        if not args.images:
            raise UserError("error.scan.no_images")
        return detect_only(ctx)
    if not args.images and not args.source and getattr(args, "camera", None):
        args.source = args.camera  # the global --camera names the source when --source does not
    if bool(args.dossier) != bool(args.slot):
        raise UserError("error.scan.dossier_and_slot")
    if not args.output and not args.dossier:
        raise UserError("error.scan.no_output")
    if args.images and args.source:
        raise UserError("error.scan.images_or_source")
    if not args.images and not args.source:
        raise UserError("error.scan.no_images")
    if args.pages < 1:
        raise UserError("error.scan.pages_count", pages=args.pages)
    paper, mode = _paper_and_mode(ctx)
    if args.images:
        pages = _pages_from_photos(ctx, paper, mode)
        _deliver(ctx, pages)
        return 0
    return _capture(ctx, paper, mode)


def detect_only(ctx: CliContext) -> int:
    """One line per image; an unreadable image gets an error on its line and the run goes on."""
    detector = PageDetector()
    paper = paper_for(ctx.args.paper)
    failures = 0
    for name in ctx.args.images:
        try:
            detection = detector.detect(read_image(Path(name)), paper=paper)
        except FieldKitError as exc:
            failures += 1
            line = {"image": name, "quad": None, "confidence": 0.0, "error": ctx.tr.describe(exc)}
        else:
            line = {
                "image": name,
                "quad": detection.as_list() if detection else None,
                "confidence": round(detection.confidence, 3) if detection else 0.0,
            }
        if ctx.args.json:
            ctx.json_line(line)
        elif "error" in line:
            ctx.warn(f"{name}: {line['error']}")
        elif line["quad"] is None:
            ctx.say("scan.detect.none", image=name)
        else:
            ctx.say("scan.detect.found", image=name, quad=line["quad"], confidence=line["confidence"])
    return 2 if failures == len(ctx.args.images) else 0


def _paper_and_mode(ctx: CliContext) -> tuple[Paper | None, Mode]:
    """The paper from --paper, else the dossier slot's; the mode from --mode, else colour for ID cards (their
    photo and colours matter) and grey for papers."""
    paper = paper_for(ctx.args.paper)
    if paper is None and ctx.args.dossier:
        service = DossierService(ctx.kit(), ctx.actor)
        slot = service.procedure_of(service.get(ctx.args.dossier)).slot(ctx.args.slot)
        if slot is None:
            raise UserError("error.slot_unknown", slot=ctx.args.slot, known="")
        paper = paper_for(slot.paper)
    if ctx.args.mode:
        return paper, Mode(ctx.args.mode)
    return paper, Mode.COLOR if paper is not None and paper.code == "id-card" else Mode.GRAY


def _pages_from_photos(ctx: CliContext, paper: Paper | None, mode: Mode) -> PageList:
    results = scan_photos([Path(p) for p in ctx.args.images], PageDetector(), paper, mode, not ctx.args.no_rotate)
    for result in results:
        if result.detection is None:
            ctx.warn(ctx.tr("scan.no_page_whole_image", image=str(result.path)))
        elif result.detection.runs_out:
            ctx.warn(ctx.tr("scan.page_runs_out", image=str(result.path)))
        elif result.page.off_shape:
            _warn_off_shape(ctx, str(result.path), paper)
    return PageList([r.page for r in results])


def _warn_off_shape(ctx: CliContext, page: str, paper: Paper) -> None:
    """The page's outline is not the shape of the paper asked for: it may be part of the page only."""
    ctx.warn(ctx.tr("scan.page_off_shape", image=page, paper=ctx.tr(f"ui.scan.paper.{paper.code}")))


def _capture(ctx: CliContext, paper: Paper | None, mode: Mode) -> int:
    if not ctx.args.auto:
        raise UserError("error.scan.source_needs_auto")
    session = CaptureSession(paper=paper, mode=mode, auto_rotate=not ctx.args.no_rotate)
    limit = ctx.args.max_frames or CAPTURE_FRAME_LIMIT

    def report(view: LiveView) -> None:
        if view.captured is None:
            return
        number = len(session.pages)
        if not ctx.args.json:
            ctx.say("scan.captured", number=number, total=ctx.args.pages)
        if view.captured.off_shape:  # taken after the longer wait such an outline gets: worth a look
            _warn_off_shape(ctx, ctx.tr("scan.page_number", number=number), paper)

    try:
        with open_source(ctx.args.source) as source:
            session.run(source, ctx.args.pages, max_frames=limit, on_view=report)
    except CameraError:
        # The webcam went away mid-scan: keep what was captured, then report the camera's problem.
        if len(session.pages):
            _deliver(ctx, session.pages)
            ctx.warn(ctx.tr("scan.kept_after_camera_error", count=len(session.pages)))
        raise
    if len(session.pages) == 0:
        raise UserError("error.scan.nothing_captured")
    _deliver(ctx, session.pages)
    if len(session.pages) < ctx.args.pages:
        ctx.warn(ctx.tr("scan.fewer_pages", count=len(session.pages), wanted=ctx.args.pages))
        return 2
    return 0


def _deliver(ctx: CliContext, pages: PageList) -> PdfResult:
    """Write the PDF and/or attach it to the dossier; say what was made. Only a dossier needs the kit (and a
    sign-in): photos to a PDF file work anywhere, within the default size limit."""
    kit = ctx.kit() if ctx.args.dossier else None
    limit_mb = float(kit.settings.get("max_file_mb") if kit else option("max_file_mb").default)
    result = make_pdf(pages, int(limit_mb * 1024 * 1024))
    output = Path(ctx.args.output) if ctx.args.output else None
    name = output.name if output is not None else f"{ctx.args.slot}.pdf"
    if output is not None:
        write_atomically(output, result.data)
    if kit is not None:
        DossierService(kit, ctx.actor).attach_bytes(ctx.args.dossier, ctx.args.slot, result.data, name, dpi=result.dpi)
        log.info("scan attached to dossier %s slot %s (%d pages)", ctx.args.dossier, ctx.args.slot, result.pages)
    summary = {
        "output": str(output) if output else None,
        "pages": result.pages,
        "bytes": result.size,
        "dpi": result.dpi,
        "near_limit": result.near_limit,
        "dossier": ctx.args.dossier,
        "slot": ctx.args.slot,
    }
    if ctx.args.json:
        ctx.json_line(summary)
    else:
        where = summary["output"] or f"{ctx.args.dossier} / {ctx.args.slot}"
        ctx.say("scan.written", path=where, pages=result.pages, size_kb=result.size // 1024, dpi=result.dpi)
    if result.near_limit:
        ctx.warn(ctx.tr("scan.near_limit", size_mb=round(result.size / 1048576, 1), limit_mb=limit_mb))
    return result
