"""The hub as a server: the sync protocol unchanged (`server.app.create_app` over the hub's store, so a team
kit's destination is just an address), plus enrolment:

  GET  /v1/hub/info     the hub's id, name and fingerprint (no secret; the kit needs the id to derive the key)
  POST /v1/hub/enrol    a kit's public keys and its account's password hash, MACed with the pairing code's key;
                        the answer (the hub's public keys, the account name) is MACed back
"""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations.

import uuid as uuidlib
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

from fieldkit.core.errors import UserError
from fieldkit.hub.pairing import PairingOffer, mac, mac_matches, new_code, pairing_key
from fieldkit.hub.store import Hub, account_of
from fieldkit.server.app import create_app
from fieldkit.server.config import ServerConfig
from fieldkit.server.errors import ApiError
from fieldkit.storage.identity import PublicIdentity

PAIRING_MINUTES = 10


class HubInfoOut(BaseModel):
    hub_id: str
    label: str
    fingerprint: str


class EnrolIn(BaseModel):
    kit: dict[str, Any] = Field(description="the kit's public identity (format fieldkit-identity/1)")
    password_hash: str = Field(max_length=300, description="scrypt hash of the password the kit will log in with")
    audit_head: list[Any] | None = Field(default=None, description="[entry number, hash] of the kit's audit log")
    mac: str = Field(max_length=128, description="HMAC-SHA256 with the pairing code's key over the fields above")


class EnrolOut(BaseModel):
    hub: dict[str, Any]
    account: str
    mac: str


def enrol_fields(body: dict[str, Any]) -> dict[str, Any]:
    """What the kit's MAC covers."""
    return {"kit": body["kit"], "password_hash": body["password_hash"], "audit_head": body.get("audit_head")}


def answer_fields(hub: dict[str, Any], account: str, request_mac: str) -> dict[str, Any]:
    """What the hub's MAC covers: its answer, bound to the request it answers."""
    return {"hub": hub, "account": account, "request_mac": request_mac}


def create_hub_app(hub: Hub, config: ServerConfig, identity: PublicIdentity) -> FastAPI:
    app = create_app(hub.store, config)
    clock = config.clock

    @app.get("/v1/hub/info", response_model=HubInfoOut, tags=["hub"])
    def info() -> HubInfoOut:
        """Which hub this is: compare the fingerprint with the one on the hub's screen."""
        return HubInfoOut(hub_id=identity.kit_id, label=identity.label, fingerprint=identity.fingerprint)

    @app.post("/v1/hub/enrol", response_model=EnrolOut, tags=["hub"])
    def enrol(body: EnrolIn) -> EnrolOut:
        """Enrol a kit with the pairing code shown on the hub (the code itself is never sent)."""
        data = body.model_dump()
        try:
            kit = PublicIdentity.from_json(body.kit)
        except ValueError:
            raise ApiError(422, "invalid_request", "hub.server.bad_identity") from None
        if not body.password_hash.startswith("scrypt$"):
            raise ApiError(422, "invalid_request", "hub.server.bad_identity")
        now = clock.now()
        fields = enrol_fields(data)
        matched = [pid for pid, key in hub.registry.open_pairings(now) if mac_matches(key, "kit", fields, body.mac)]
        if not matched:
            hub.registry.pairing_failed()
            raise ApiError(403, "pairing_refused", "hub.server.pairing_refused")
        key = dict(hub.registry.open_pairings(now))[matched[0]]
        if not hub.registry.pairing_used(matched[0], now):
            raise ApiError(409, "pairing_used", "hub.server.pairing_used")
        hub.registry.enrol(kit, "network", now)
        account = account_of(kit.kit_id)
        hub.store.open_account(account, body.password_hash)
        head = body.audit_head
        if isinstance(head, list) and len(head) == 2 and isinstance(head[0], int) and isinstance(head[1], str):
            hub.registry.seen(kit.kit_id, (head[0], head[1][:64]), now)
        answer = identity.to_json()
        return EnrolOut(hub=answer, account=account, mac=mac(key, "hub", answer_fields(answer, account, body.mac)))

    return app


def offer_pairing(hub: Hub, identity: PublicIdentity, url: str, now: datetime, minutes: int = PAIRING_MINUTES):
    """A new one-time code (withdrawing any other); the offer is what the hub's screen and QR show."""
    if not 1 <= minutes <= 24 * 60:
        raise UserError("error.hub.pairing_minutes")
    code = new_code()
    key = pairing_key(code, identity.kit_id)
    hub.registry.offer_pairing(str(uuidlib.uuid4()), key, now + timedelta(minutes=minutes))
    return PairingOffer(url, code, identity.fingerprint)
