"""Real parts for the hub's tests: a supervisor's kit with its hub served on a thread, team kits of their own
members with queued dossiers, enrolment by code or by public-key file."""

from __future__ import annotations

from pathlib import Path

from fieldkit.core.clock import Clock
from fieldkit.core.dossier import Place, PlaceKind
from fieldkit.core.roles import Actor, Role
from fieldkit.hub.server import create_hub_app, offer_pairing
from fieldkit.hub.service import Collector, HubThread, hub_config
from fieldkit.hub.store import Hub, open_hub
from fieldkit.storage.citizen_service import CitizenService
from fieldkit.storage.dossier_service import DossierService
from fieldkit.storage.identity import kit_identity
from fieldkit.storage.kit import Kit
from fieldkit.storage.security import init_kit
from tests.conftest import TEST_KDF, an_citizen, give_consent
from tests.e2e.harness import scan_pdf

SUPERVISOR, SUPERVISOR_PASSWORD = "truong", "mat-khau-to-truong"
MEMBER_PASSWORD = "mat-khau-thanh-vien"
PROCEDURES = ("1.004873",)


def supervisor_kit(folder: Path, clock: Clock | None = None) -> Kit:
    kit, _ = init_kit(folder, SUPERVISOR, SUPERVISOR_PASSWORD, clock=clock, kdf=TEST_KDF)
    return kit


def supervisor() -> Actor:
    return Actor(SUPERVISOR, Role.ADMIN)


def member_kit(folder: Path, member: str, clock: Clock | None = None) -> Kit:
    kit, _ = init_kit(folder, member, MEMBER_PASSWORD, clock=clock, kdf=TEST_KDF)
    return kit


def citizen(index: int):
    """Distinct valid citizens (men born in Hà Nội in 1990), so dossiers differ by applicant too."""
    return an_citizen(id_number=f"00109{index:07d}", full_name=f"Nguyễn Văn {chr(65 + index % 26)}")


def queue_for(kit: Kit, member: str, count: int, *, village: str = "Thôn Đông", seed: int = 0, start: int = 0):
    """`count` complete dossiers filed by `member`, consented and queued; their UUIDs."""
    people = CitizenService(kit, member)
    service = DossierService(kit, member)
    uuids = []
    for index in range(start, start + count):
        person = citizen(index)
        people.save(person)
        dossier = service.create(
            "1.004873",
            person.id_number,
            {"marital_status": "chua_ket_hon", "purpose": "Kết hôn"},
            Place(PlaceKind.HOME_VISIT, village),
        )
        service.attach_bytes(dossier.uuid, "TOKHAI", scan_pdf(30_000, seed * 1000 + index), "TOKHAI.pdf")
        give_consent(service, dossier.uuid)
        service.queue(dossier.uuid)
        uuids.append(dossier.uuid)
        if hasattr(kit.clock, "advance"):
            kit.clock.advance(seconds=1)
    return uuids


class LiveHub:
    """The supervisor's hub served on a thread of this test (real HTTP on 127.0.0.1), with its collector."""

    def __init__(self, kit: Kit, label: str = "Tổ trưởng") -> None:
        self.kit = kit
        self.identity = kit_identity(kit).public(label)
        self.hub: Hub = open_hub(kit)
        assert kit.data_key is not None
        self.collector = Collector(kit.data_dir, kit.data_key, self.hub, kit.clock).start()
        self.hub.store.on_revision = self.collector.notify
        self.config = hub_config(kit, "vi")
        self.thread = HubThread(create_hub_app(self.hub, self.config, self.identity)).start()

    @property
    def url(self) -> str:
        return self.thread.url

    def offer(self, minutes: int = 10):
        return offer_pairing(self.hub, self.identity, self.url, self.kit.clock.now(), minutes)

    def settle(self) -> None:
        """Wait until the collector has moved everything that arrived into the supervisor's kit."""
        self.collector.stop()
        self.collector = Collector(self.kit.data_dir, self.kit.data_key, self.hub, self.kit.clock).start()
        self.hub.store.on_revision = self.collector.notify

    def stop(self) -> None:
        self.thread.stop()
        self.collector.stop()
        self.hub.close()
