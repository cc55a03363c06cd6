"""Where a dossier stands: its local status, the portal's TrangThaiHoSo, and the moves allowed between them."""

from __future__ import annotations

from enum import Enum, IntEnum

from fieldkit.core.errors import IllegalTransition, Msg


class LocalStatus(Enum):
    DRAFT = "draft"  # being filled in
    READY = "ready"  # every required field and document present and valid
    QUEUED = "queued"  # waiting in the outbox for a connection
    SENDING = "sending"  # the outbox is sending it now
    SENT = "sent"  # the portal gave it a MaHoSo
    NEEDS_ATTENTION = "needs_attention"  # the portal or the supervisor sent it back, with the reason

    @property
    def label(self) -> Msg:
        return Msg.of(f"status.{self.value}")


class PortalStatus(IntEnum):
    """TrangThaiHoSo, as the portal reports it (DOMAIN.md)."""

    NEW = 1  # mới đăng ký
    ACCEPTED = 2  # được tiếp nhận
    NOT_ACCEPTED = 3  # không được tiếp nhận
    IN_PROGRESS = 4  # đang xử lý
    MORE_DOCUMENTS = 5  # yêu cầu bổ sung giấy tờ
    PAYMENT_REQUESTED = 6  # yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWN = 7  # công dân yêu cầu rút hồ sơ
    STOPPED = 8  # dừng xử lý
    PROCESSED = 9  # đã xử lý xong
    RESULT_RETURNED = 10  # đã trả kết quả

    @property
    def label(self) -> Msg:
        return Msg.of(f"portal.{self.value}")


# Portal statuses that call for the team to act: bring papers, tell the citizen to pay, or explain a refusal.
PORTAL_NEEDS_ACTION = frozenset(
    {PortalStatus.NOT_ACCEPTED, PortalStatus.MORE_DOCUMENTS, PortalStatus.PAYMENT_REQUESTED}
)
# The dossier's life at the portal is over: its personal data may be purged after the retention period.
PORTAL_CLOSED = frozenset(
    {PortalStatus.NOT_ACCEPTED, PortalStatus.WITHDRAWN, PortalStatus.STOPPED, PortalStatus.RESULT_RETURNED}
)

_ALLOWED: dict[LocalStatus, frozenset[LocalStatus]] = {
    LocalStatus.DRAFT: frozenset({LocalStatus.READY}),
    LocalStatus.READY: frozenset({LocalStatus.DRAFT, LocalStatus.QUEUED}),
    LocalStatus.QUEUED: frozenset({LocalStatus.SENDING, LocalStatus.DRAFT}),
    # Back to QUEUED when a send is interrupted; NEEDS_ATTENTION when the portal refuses the dossier itself.
    LocalStatus.SENDING: frozenset({LocalStatus.SENT, LocalStatus.QUEUED, LocalStatus.NEEDS_ATTENTION}),
    LocalStatus.SENT: frozenset({LocalStatus.NEEDS_ATTENTION}),
    LocalStatus.NEEDS_ATTENTION: frozenset({LocalStatus.DRAFT, LocalStatus.SENT}),
}

EDITABLE = frozenset({LocalStatus.DRAFT, LocalStatus.READY, LocalStatus.NEEDS_ATTENTION})


def can_move(current: LocalStatus, target: LocalStatus) -> bool:
    return target in _ALLOWED[current]


def check_move(current: LocalStatus, target: LocalStatus) -> None:
    if not can_move(current, target):
        raise IllegalTransition(from_status=current.label, to_status=target.label)
