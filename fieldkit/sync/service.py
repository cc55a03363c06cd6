"""Putting a sync together from a kit's settings: the portal's address, its CA bundle, the chunk size."""

from __future__ import annotations

from pathlib import Path

from fieldkit.core.errors import UserError
from fieldkit.storage.kit import Kit
from fieldkit.sync.client import PortalClient, normalise_url
from fieldkit.sync.lock import SyncLock
from fieldkit.sync.outbox import Outbox, SyncReport


def portal_url(kit: Kit, override: str | None = None) -> str:
    url = normalise_url(override or kit.settings.get("portal_url") or "")
    if not url:
        raise UserError("error.sync.no_portal")
    if not url.startswith(("https://", "http://")):
        raise UserError("error.sync.bad_url", url=url)
    return url


def portal_client(kit: Kit, url: str, timeout: tuple[float, float] = (10.0, 60.0)) -> PortalClient:
    ca_bundle = kit.settings.get("ca_bundle") or ""
    if ca_bundle and not Path(ca_bundle).expanduser().is_file():
        raise UserError("error.sync.ca_bundle_missing", path=ca_bundle)
    return PortalClient(
        url, ca_bundle=str(Path(ca_bundle).expanduser()) if ca_bundle else "", timeout=timeout, clock=kit.clock
    )


def chunk_sizes(kit: Kit, server_limit: int) -> tuple[int, int]:
    """(first piece, largest piece) in bytes: the settings, within what the server takes."""
    largest = min(int(kit.settings.get("sync_chunk_max_kb")) * 1024, server_limit)
    first = min(int(kit.settings.get("sync_chunk_kb")) * 1024, largest)
    return first, max(first, largest)


def run_locked(kit: Kit, outbox: Outbox) -> SyncReport:
    """One sync of this kit at a time (SyncBusy if another is running)."""
    with SyncLock(kit.data_dir):
        return outbox.run()
