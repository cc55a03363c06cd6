"""`fieldkit hub`: the supervisor's hub (serve, pair, kits, revoke, add-kit, forward) and a team kit's side of it
(enrol, trust, destination); `identity` on either writes the kit's public-key file."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from fieldkit.cli.context import CliContext
from fieldkit.core.dates import to_iso
from fieldkit.core.errors import UserError
from fieldkit.core.i18n import Translator
from fieldkit.core.roles import Permission, require
from fieldkit.hub.collect import collect
from fieldkit.hub.enrol import enrol_with_hub, set_destination, trust_hub_file
from fieldkit.hub.pairing import PairingOffer, read_qr_payload, shown
from fieldkit.hub.server import PAIRING_MINUTES, create_hub_app, offer_pairing
from fieldkit.hub.service import Collector, forward, hub_config, office_address
from fieldkit.hub.store import NO_PASSWORD, Hub, account_of, open_hub
from fieldkit.server.run import uvicorn_server
from fieldkit.storage.audit import AuditLog
from fieldkit.storage.identity import PublicIdentity, kit_identity
from fieldkit.sync.credentials import open_credentials
from fieldkit.sync.outbox import Outbox
from fieldkit.sync.service import chunk_sizes, portal_client, portal_url
from fieldkit.sync.session import PortalSession

ORDER = 50  # place in `fieldkit --help`, after sync

DEFAULT_PORT = 8766


def register(commands, tr: Translator) -> None:
    hub = commands.add_parser("hub", help=tr("cli.hub.help"), description=tr("cli.hub.description"))
    sub = hub.add_subparsers(dest="action", metavar="ACTION", required=True)

    serve = sub.add_parser("serve", help=tr("cli.hub.serve"), description=tr("cli.hub.serve"))
    serve.add_argument("--host", default="0.0.0.0", metavar="HOST", help=tr("cli.hub.opt.host"))
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="PORT", help=tr("cli.hub.opt.port"))
    serve.add_argument("--url", metavar="URL", help=tr("cli.hub.opt.url"))
    serve.add_argument("--name", metavar="NAME", help=tr("cli.hub.opt.name"))
    serve.add_argument("--tls-cert", metavar="FILE", help=tr("cli.hub.opt.tls_cert"))
    serve.add_argument("--tls-key", metavar="FILE", help=tr("cli.hub.opt.tls_key"))
    serve.add_argument("--no-pair", action="store_true", help=tr("cli.hub.opt.no_pair"))
    serve.set_defaults(handler=serve_hub)

    pair = sub.add_parser("pair", help=tr("cli.hub.pair"), description=tr("cli.hub.pair"))
    pair.add_argument("--url", metavar="URL", help=tr("cli.hub.opt.url"))
    pair.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="PORT", help=tr("cli.hub.opt.port"))
    pair.add_argument("--minutes", type=int, default=PAIRING_MINUTES, metavar="MINUTES", help=tr("cli.hub.opt.minutes"))
    pair.add_argument("--qr", metavar="FILE", help=tr("cli.hub.opt.qr"))
    pair.add_argument("--name", metavar="NAME", help=tr("cli.hub.opt.name"))
    pair.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    pair.set_defaults(handler=pair_kit)

    kits = sub.add_parser("kits", help=tr("cli.hub.kits"), description=tr("cli.hub.kits"))
    kits.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    kits.set_defaults(handler=list_kits)

    add_kit = sub.add_parser("add-kit", help=tr("cli.hub.add_kit"), description=tr("cli.hub.add_kit"))
    add_kit.add_argument("file", metavar="FILE", help=tr("cli.hub.arg.identity_file"))
    add_kit.set_defaults(handler=add_kit_file)

    revoke = sub.add_parser("revoke", help=tr("cli.hub.revoke"), description=tr("cli.hub.revoke"))
    revoke.add_argument("kit", metavar="KIT", help=tr("cli.hub.arg.kit"))
    revoke.set_defaults(handler=revoke_kit)

    identity = sub.add_parser("identity", help=tr("cli.hub.identity"), description=tr("cli.hub.identity"))
    identity.add_argument("-o", "--out", required=True, metavar="FILE", help=tr("cli.hub.opt.out"))
    identity.add_argument("--name", metavar="NAME", help=tr("cli.hub.opt.name"))
    identity.set_defaults(handler=write_identity)

    enrol = sub.add_parser("enrol", help=tr("cli.hub.enrol"), description=tr("cli.hub.enrol_description"))
    enrol.add_argument("--hub", metavar="URL", help=tr("cli.hub.opt.hub"))
    enrol.add_argument("--code", metavar="CODE", help=tr("cli.hub.opt.code"))
    enrol.add_argument("--qr-payload", metavar="TEXT", help=tr("cli.hub.opt.qr_payload"))
    enrol.add_argument("--name", metavar="NAME", help=tr("cli.hub.opt.name"))
    enrol.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    enrol.set_defaults(handler=enrol_kit)

    trust = sub.add_parser("trust", help=tr("cli.hub.trust"), description=tr("cli.hub.trust"))
    trust.add_argument("file", metavar="FILE", help=tr("cli.hub.arg.identity_file"))
    trust.set_defaults(handler=trust_hub)

    destination = sub.add_parser("destination", help=tr("cli.hub.destination"), description=tr("cli.hub.destination"))
    destination.add_argument("where", choices=("hub", "portal"), help=tr("cli.hub.arg.where"))
    destination.add_argument("--portal", metavar="URL", help=tr("cli.sync.opt.portal"))
    destination.set_defaults(handler=choose_destination)

    fwd = sub.add_parser("forward", help=tr("cli.hub.forward"), description=tr("cli.hub.forward_description"))
    fwd.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    fwd.set_defaults(handler=forward_approved)


def supervisor_hub(ctx: CliContext) -> Hub:
    """The hub's stores of the signed-in supervisor's kit (use it in a `with`)."""
    kit = ctx.kit()
    require(ctx.user, Permission.APPROVE)
    return open_hub(kit)


def _label(ctx: CliContext) -> str:
    return ctx.args.name or f"{ctx.actor}@{socket.gethostname()}"[:80]


def serve_hub(ctx: CliContext) -> int:
    kit = ctx.kit()
    require(ctx.user, Permission.APPROVE)
    tls = {}
    if bool(ctx.args.tls_cert) != bool(ctx.args.tls_key):
        raise UserError("error.hub.tls_pair")
    if ctx.args.tls_cert:
        tls = {"ssl_certfile": ctx.args.tls_cert, "ssl_keyfile": ctx.args.tls_key}
    identity = kit_identity(kit).public(_label(ctx))
    hub = open_hub(kit)
    assert kit.data_key is not None
    collector = Collector(kit.data_dir, kit.data_key, hub, kit.clock).start()
    hub.store.on_revision = collector.notify
    try:
        swept = collect(kit, hub, ctx.actor)  # what arrived while the hub was not running
        if swept:
            ctx.say("cli.hub.swept", count=len(swept))
        url = ctx.args.url or _default_url(ctx.args.host, ctx.args.port, "https" if tls else "http")
        server = uvicorn_server(
            create_hub_app(hub, hub_config(kit, ctx.tr.lang), identity), ctx.args.host, ctx.args.port, **tls
        )
        ctx.say("cli.hub.serving", url=url, fingerprint=identity.fingerprint)
        if not ctx.args.no_pair:
            _show_offer(ctx, offer_pairing(hub, identity, url, kit.clock.now()), PAIRING_MINUTES)
        sys.stdout.flush()
        server.run()
    finally:
        collector.stop()
        hub.close()
    return 0


def _default_url(host: str, port: int, scheme: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return office_address(port, scheme)
    return f"{scheme}://{host}:{port}"


def pair_kit(ctx: CliContext) -> int:
    with supervisor_hub(ctx) as hub:
        kit = ctx.kit()
        identity = kit_identity(kit).public(_label(ctx))
        url = ctx.args.url or office_address(ctx.args.port)
        offer = offer_pairing(hub, identity, url, kit.clock.now(), ctx.args.minutes)
        if ctx.args.qr:
            _qr(offer).save(ctx.args.qr, scale=8, border=4)
        if ctx.args.json:
            ctx.json_line(
                {
                    "url": offer.url,
                    "code": offer.code,
                    "fingerprint": offer.fingerprint,
                    "qr_payload": offer.qr_payload(),
                }
            )
        else:
            _show_offer(ctx, offer, ctx.args.minutes)
    return 0


def _qr(offer: PairingOffer):
    import segno

    return segno.make(offer.qr_payload(), error="m")


def _show_offer(ctx: CliContext, offer: PairingOffer, minutes: int) -> None:
    ctx.say("cli.hub.pairing", code=shown(offer.code), minutes=minutes, url=offer.url, fingerprint=offer.fingerprint)
    if sys.stdout.isatty():
        _qr(offer).terminal(compact=True)


def list_kits(ctx: CliContext) -> int:
    with supervisor_hub(ctx) as hub:
        for kit in hub.registry.kits():
            data = {
                "kit_id": kit.identity.kit_id,
                "label": kit.identity.label,
                "fingerprint": kit.identity.fingerprint,
                "channel": kit.channel,
                "enrolled_at": to_iso(kit.enrolled_at),
                "revoked_at": to_iso(kit.revoked_at) if kit.revoked_at else None,
                "last_seen": to_iso(kit.last_seen) if kit.last_seen else None,
                "audit_head": kit.audit_head,
            }
            if ctx.args.json:
                ctx.json_line(data)
            else:
                state = ctx.tr("cli.hub.revoked") if kit.revoked_at else ctx.tr("cli.hub.active")
                print(f"{kit.identity.kit_id[:8]}  {kit.identity.label:<24} {kit.identity.fingerprint}  {state}")
    return 0


def add_kit_file(ctx: CliContext) -> int:
    with supervisor_hub(ctx) as hub:
        kit = ctx.kit()
        identity = PublicIdentity.read(Path(ctx.args.file))
        now = kit.clock.now()
        hub.registry.enrol(identity, "file", now)
        if not hub.store.has_account(account_of(identity.kit_id)):
            hub.store.open_account(account_of(identity.kit_id), NO_PASSWORD)  # sends by bundle: no password opens it
        _audit(ctx, "hub_kit_added", f"kit={identity.kit_id[:8]} file")
        ctx.say("cli.hub.kit_added", label=identity.label, fingerprint=identity.fingerprint)
    return 0


def revoke_kit(ctx: CliContext) -> int:
    with supervisor_hub(ctx) as hub:
        enrolled = hub.registry.lookup(ctx.args.kit)
        hub.registry.revoke(enrolled.identity.kit_id, ctx.kit().clock.now())
        hub.store.close_account(enrolled.account)
        _audit(ctx, "hub_kit_revoked", f"kit={enrolled.identity.kit_id[:8]}")
        ctx.say("cli.hub.kit_revoked", label=enrolled.identity.label)
    return 0


def write_identity(ctx: CliContext) -> int:
    identity = kit_identity(ctx.kit()).public(_label(ctx))
    identity.write(Path(ctx.args.out))
    ctx.say("cli.hub.identity_written", path=ctx.args.out, fingerprint=identity.fingerprint)
    return 0


def enrol_kit(ctx: CliContext) -> int:
    kit = ctx.kit()
    fingerprint = ""
    if ctx.args.qr_payload:
        offer = read_qr_payload(ctx.args.qr_payload)
        url, code, fingerprint = offer.url, offer.code, offer.fingerprint
    elif ctx.args.hub and ctx.args.code:
        url, code = ctx.args.hub, ctx.args.code
    else:
        raise UserError("error.hub.enrol_needs")
    ca_bundle = kit.settings.get("ca_bundle") or ""
    link = enrol_with_hub(kit, ctx.actor, url, code, _label(ctx), fingerprint=fingerprint, verify=ca_bundle or True)
    credentials = open_credentials()
    PortalSession(portal_client(kit, link.url), credentials, kit.clock).login(link.account, link.secret)
    if ctx.args.json:
        ctx.json_line(
            {"hub_id": link.hub.kit_id, "hub": link.hub.label, "url": link.url, "fingerprint": link.hub.fingerprint}
        )
    else:
        ctx.say("cli.hub.enrolled", hub=link.hub.label, url=link.url, fingerprint=link.hub.fingerprint)
    if not credentials.persistent:
        ctx.warn(ctx.tr("cli.hub.no_keyring"))
    return 0


def trust_hub(ctx: CliContext) -> int:
    identity = PublicIdentity.read(Path(ctx.args.file))
    trust_hub_file(ctx.kit(), ctx.actor, identity)
    ctx.say("cli.hub.trusted", hub=identity.label, fingerprint=identity.fingerprint)
    return 0


def choose_destination(ctx: CliContext) -> int:
    target = set_destination(ctx.kit(), ctx.actor, ctx.args.where, ctx.args.portal or "")
    ctx.say("cli.hub.destination_set", url=target)
    return 0


def forward_approved(ctx: CliContext) -> int:
    with supervisor_hub(ctx) as hub:
        kit = ctx.kit()
        url = portal_url(kit)
        client = portal_client(kit, url)
        first, largest = chunk_sizes(kit, client.health().max_chunk_bytes)  # unreachable: said, nothing lost
        session = PortalSession(client, open_credentials(), kit.clock)
        outbox = Outbox(kit, session, actor=ctx.actor, tr=ctx.tr, chunk_size=first, max_chunk=largest)
        done = forward(kit, outbox, hub)
        report = done.sync
        summary = {
            "event": "summary",
            "sent": len(report.sent),
            "set_aside": len(report.set_aside),
            "statuses": len(report.statuses),
            "remaining": report.remaining,
            "relayed": done.relayed,
            "stopped": ctx.tr.describe(report.stopped) if report.stopped else None,
        }
        if ctx.args.json:
            for sent in report.sent:
                ctx.json_line({"event": "sent", "uuid": sent.uuid, "portal_code": sent.portal_code})
            ctx.json_line(summary)
        else:
            ctx.say("cli.hub.forwarded", sent=len(report.sent), relayed=done.relayed, remaining=report.remaining)
        if report.stopped is not None:
            ctx.warn(ctx.tr.describe(report.stopped))
            return 2 if report.stopped.user_error else 1
    return 0


def _audit(ctx: CliContext, action: str, reason: str) -> None:
    from fieldkit.core.dossier import AuditEntry

    kit = ctx.kit()
    AuditLog(kit.db).append(AuditEntry(kit.clock.now(), ctx.actor, action, reason=reason))
