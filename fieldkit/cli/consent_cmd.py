"""`fieldkit consent show|record ID`: the citizen's consent, which a dossier needs before it can be queued."""

from __future__ import annotations

from fieldkit.cli.context import CliContext
from fieldkit.core.consent import consent_text
from fieldkit.core.dates import to_iso
from fieldkit.core.i18n import Translator
from fieldkit.storage.dossier_service import DossierService

ORDER = 35  # place in `fieldkit --help`, after `dossier`


def register(commands, tr: Translator) -> None:
    consent = commands.add_parser("consent", help=tr("cli.consent.help"), description=tr("cli.consent.description"))
    sub = consent.add_subparsers(dest="action", metavar="ACTION", required=True)

    show = sub.add_parser("show", help=tr("cli.consent.show"), description=tr("cli.consent.show"))
    show.add_argument("uuid", metavar="ID", help=tr("cli.arg.dossier_id"))
    show.add_argument("--text-lang", choices=("vi", "en"), help=tr("cli.opt.text_lang"))
    show.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    show.set_defaults(handler=show_consent)

    record = sub.add_parser("record", help=tr("cli.consent.record"), description=tr("cli.consent.record_description"))
    record.add_argument("uuid", metavar="ID", help=tr("cli.arg.dossier_id"))
    record.add_argument("--text-lang", choices=("vi", "en"), help=tr("cli.opt.text_lang"))
    record.add_argument("--agreed", action="store_true", help=tr("cli.opt.agreed"))
    record.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    record.set_defaults(handler=record_consent)


def _text(ctx: CliContext, service: DossierService, uuid: str):
    dossier = service.get(uuid)
    procedure = service.procedure_of(dossier)
    lang = ctx.args.text_lang or ctx.tr.lang  # the citizen may prefer another language than the worker
    return dossier, consent_text(lang, procedure.name.in_language(lang))


def show_consent(ctx: CliContext) -> int:
    service = DossierService(ctx.kit(), ctx.user)
    dossier, text = _text(ctx, service, ctx.args.uuid)
    given = service.consent_of(dossier.uuid)
    if ctx.args.json:
        ctx.json_line(
            {
                "uuid": dossier.uuid,
                "version": text.version,
                "lang": text.lang,
                "text": text.text,
                "sha256": text.sha256,
                "given_at": to_iso(given.given_at) if given else None,
                "assisted_by": given.assisted_by if given else None,
            }
        )
        return 0
    print(text.text)
    if given:
        ctx.say("cli.consent.given", at=to_iso(given.given_at), by=given.assisted_by, version=given.version)
    else:
        ctx.say("cli.consent.not_given")
    return 0


def record_consent(ctx: CliContext) -> int:
    """Show the text to be read to the citizen, then record their agreement (never assumed: silence is not
    consent, so a script must say --agreed and a person at the terminal must answer yes)."""
    service = DossierService(ctx.kit(), ctx.user)
    dossier, text = _text(ctx, service, ctx.args.uuid)
    if not ctx.args.agreed:
        ctx.confirm("cli.consent.ask", "error.consent.not_agreed", shown=text.text)
    consent = service.record_consent(dossier.uuid, text)
    if ctx.args.json:
        ctx.json_line({"uuid": dossier.uuid, "version": consent.version, "sha256": consent.text_sha256})
    else:
        ctx.say("cli.consent.recorded", uuid=dossier.uuid, version=consent.version)
    return 0
