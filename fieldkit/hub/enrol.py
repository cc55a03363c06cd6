"""A team kit's side of enrolment: with the hub (pairing code over the office network), or by public-key files
carried on a USB stick for kits that never see the network; and which destination the kit sends to.

Enrolling with a hub makes the hub the kit's destination (`portal_url`), remembering the portal it sent to
before; `set_destination` switches between the two.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import requests

from fieldkit.core.dossier import AuditEntry
from fieldkit.core.errors import UserError
from fieldkit.hub.pairing import mac, mac_matches, pairing_key, read_code
from fieldkit.hub.server import answer_fields, enrol_fields
from fieldkit.server.passwords import hash_password
from fieldkit.storage.audit import AuditLog
from fieldkit.storage.identity import PublicIdentity, kit_identity
from fieldkit.storage.kit import Kit
from fieldkit.storage.reviews import HubLink, HubLinkStore
from fieldkit.sync.client import normalise_url
from fieldkit.sync.errors import BadResponse, NetworkError, NotAPortal, TlsError
from fieldkit.sync.session import PortalSession

log = logging.getLogger(__name__)
_MAX_ANSWER = 64 * 1024


def enrol_with_hub(
    kit: Kit,
    actor: str,
    url: str,
    code: str,
    label: str,
    *,
    fingerprint: str = "",
    http: requests.Session | None = None,
    verify: str | bool = True,
) -> HubLink:
    """Pair this kit with the hub at `url` using the code on its screen; `fingerprint` (from the QR) is checked."""
    url = normalise_url(url)
    code = read_code(code)
    http = http or requests.Session()
    info = _call(http, "GET", f"{url}/v1/hub/info", verify=verify)
    hub_id = info.get("hub_id")
    if not isinstance(hub_id, str) or not hub_id:
        raise BadResponse()
    key = pairing_key(code, hub_id)
    me = kit_identity(kit)
    secret = secrets.token_urlsafe(32)
    body: dict[str, Any] = {
        "kit": me.public(label).to_json(),
        "password_hash": hash_password(secret),
        "audit_head": list(AuditLog(kit.db).head()),
    }
    body["mac"] = mac(key, "kit", enrol_fields(body))
    answer = _call(http, "POST", f"{url}/v1/hub/enrol", json_body=body, verify=verify)
    account = answer.get("account")
    if not isinstance(account, str) or not mac_matches(
        key, "hub", answer_fields(answer.get("hub"), account, body["mac"]), answer.get("mac")
    ):
        raise UserError("error.hub.answer_not_authentic")
    try:
        hub = PublicIdentity.from_json(answer["hub"])
    except ValueError:
        raise BadResponse() from None
    if hub.kit_id != hub_id or (fingerprint and fingerprint.replace(" ", "") != hub.fingerprint.replace(" ", "")):
        raise UserError("error.hub.answer_not_authentic")
    return _link(kit, actor, hub, url, account, secret)


def trust_hub_file(kit: Kit, actor: str, identity: PublicIdentity) -> HubLink:
    """A kit that never sees the network: the supervisor's public-key file, for sealing bundles to it."""
    return _link(kit, actor, identity, "", "", "")


def _link(kit: Kit, actor: str, hub: PublicIdentity, url: str, account: str, secret: str) -> HubLink:
    current = normalise_url(kit.settings.get("portal_url") or "")
    previous = HubLinkStore(kit.db).get()
    portal = previous.portal_url if previous is not None and current == previous.url else current
    link = HubLink(hub, url, account, secret, portal if portal != url else "", kit.clock.now())
    with kit.db.atomic():
        HubLinkStore(kit.db).save(link)
        if url:
            kit.settings.set("portal_url", url)  # the hub is this kit's destination from now on
        AuditLog(kit.db).append(
            AuditEntry(
                link.enrolled_at, actor, "hub_enrolled", reason=f"hub={hub.kit_id[:8]} {'network' if url else 'file'}"
            )
        )
    log.info("enrolled with hub %s", hub.kit_id[:8])
    return link


def hub_login(kit: Kit, url: str) -> tuple[str, str] | None:
    """(account, password) at the hub this kit enrolled with, when `url` is that hub; None otherwise."""
    link = HubLinkStore(kit.db).get()
    if link is None or not link.url or not link.account or normalise_url(url) != link.url:
        return None
    return link.account, link.secret


def use_hub_login(kit: Kit, session: PortalSession, url: str) -> bool:
    """When `url` is the hub this kit enrolled with, let `session` log in with the password the kit keeps,
    now if it has no login yet and whenever its token runs out. False when `url` is not that hub."""
    hub = hub_login(kit, url)
    if hub is None:
        return False
    account, secret = hub
    session.ask_password = lambda user: secret if user == account else None
    if session.credentials.load(url) is None:
        session.login(account, secret)
    return True


def set_destination(kit: Kit, actor: str, where: str, portal_url: str = "") -> str:
    """`hub` (review first) or `portal` (directly): the address `fieldkit sync` sends to; returns it."""
    link = HubLinkStore(kit.db).get()
    if where == "hub":
        if link is None or not link.url:
            raise UserError("error.hub.not_enrolled")
        target = link.url
    elif where == "portal":
        target = normalise_url(portal_url or (link.portal_url if link else ""))
        if not target:
            raise UserError("error.hub.portal_unknown")
        if link is not None and target != link.url:
            HubLinkStore(kit.db).save(HubLink(link.hub, link.url, link.account, link.secret, target, link.enrolled_at))
    else:
        raise UserError("error.hub.destination", where=where)
    kit.settings.set("portal_url", target)
    AuditLog(kit.db).append(AuditEntry(kit.clock.now(), actor, "destination_set", reason=where))
    return target


def _call(http: requests.Session, method: str, url: str, *, verify: str | bool, json_body: Any = None) -> dict:
    try:
        response = http.request(method, url, json=json_body, timeout=(10, 60), verify=verify, allow_redirects=False)
    except requests.exceptions.SSLError as exc:
        raise TlsError(url=url) from exc
    except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema):
        raise NotAPortal(url=url) from None
    except requests.RequestException as exc:
        raise NetworkError(detail=type(exc).__name__) from exc
    if len(response.content) > _MAX_ANSWER:
        raise BadResponse()
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code in (403, 409):
        code = (data or {}).get("error", {}).get("code") if isinstance(data, dict) else None
        raise UserError("error.hub.pairing_used" if code == "pairing_used" else "error.hub.pairing_refused")
    if response.status_code == 404:
        raise NotAPortal(url=url)
    if response.status_code >= 500 or response.status_code in (429, 503):
        raise NetworkError(detail=str(response.status_code))
    if response.status_code != 200 or not isinstance(data, dict):
        raise BadResponse()
    return data
