"""How statuses look: a symbol AND words AND a colour, so nobody depends on telling colours apart.

Colours are dark enough for white text (contrast ≥ 4.5:1) and come from a colour-blind-safe palette.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldkit.core.i18n import Translator
from fieldkit.core.workflow import LocalStatus, PortalStatus


@dataclass(frozen=True)
class Badge:
    symbol: str
    background: str  # hex colour behind white text

    def text(self, label: str) -> str:
        return f"{self.symbol} {label}"


LOCAL = {
    LocalStatus.DRAFT: Badge("✎", "#4d4d4d"),
    LocalStatus.READY: Badge("✓", "#005a9c"),
    LocalStatus.QUEUED: Badge("◷", "#8a4b00"),  # a clock face: common Linux fonts have no hourglass
    LocalStatus.SENDING: Badge("↑", "#005a9c"),
    LocalStatus.SENT: Badge("✔", "#1b6e3a"),
    LocalStatus.NEEDS_ATTENTION: Badge("⚠", "#b00020"),
}

_PORTAL_NEUTRAL = Badge("•", "#4d4d4d")
_PORTAL = {
    PortalStatus.NOT_ACCEPTED: Badge("✖", "#b00020"),
    PortalStatus.MORE_DOCUMENTS: Badge("⚠", "#b00020"),
    PortalStatus.PAYMENT_REQUESTED: Badge("⚠", "#8a4b00"),
    PortalStatus.PROCESSED: Badge("✔", "#1b6e3a"),
    PortalStatus.RESULT_RETURNED: Badge("✔", "#1b6e3a"),
}


def local_badge(status: LocalStatus, tr: Translator) -> tuple[str, str]:
    badge = LOCAL[status]
    return badge.text(tr.msg(status.label)), badge.background


def portal_badge(status: PortalStatus | None, tr: Translator) -> tuple[str, str]:
    if status is None:
        return "", ""
    badge = _PORTAL.get(status, _PORTAL_NEUTRAL)
    return badge.text(tr.msg(status.label)), badge.background
