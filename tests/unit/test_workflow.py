import pytest

from fieldkit.core.dossier import Dossier
from fieldkit.core.errors import IllegalTransition
from fieldkit.core.workflow import LocalStatus, PortalStatus, can_move
from tests.conftest import NOW

S = LocalStatus


def dossier(status=S.DRAFT, **kw):
    d = Dossier.new("1.004873", "001090012345", "an", NOW, uuid="u-1")
    return Dossier(**{**d.__dict__, "status": status, **kw})


@pytest.mark.parametrize(
    ("start", "path"),
    [
        (S.DRAFT, [S.READY, S.QUEUED, S.SENDING, S.SENT]),
        (S.QUEUED, [S.SENDING, S.QUEUED, S.SENDING, S.NEEDS_ATTENTION, S.DRAFT]),
        (S.READY, [S.DRAFT]),
        (S.QUEUED, [S.DRAFT]),
    ],
)
def test_allowed_paths(start, path):
    current = dossier(start)
    for target in path:
        current, entry = current.moved(target, "an", NOW, "why")
        assert current.status is target
        assert (entry.actor, entry.to_status, entry.reason, entry.dossier_uuid) == (
            "an",
            target.value,
            "why",
            "u-1",
        )


@pytest.mark.parametrize(
    ("start", "target"),
    [(S.DRAFT, S.QUEUED), (S.DRAFT, S.SENT), (S.SENT, S.DRAFT), (S.QUEUED, S.SENT), (S.READY, S.SENDING)],
)
def test_illegal_moves_raise_a_typed_error(start, target):
    assert not can_move(start, target)
    with pytest.raises(IllegalTransition) as caught:
        dossier(start).moved(target, "an", NOW)
    assert caught.value.message.params["from_status"].key == f"status.{start.value}"


def test_accepted_by_portal_records_the_code_and_revision():
    sent, entry = dossier(S.SENDING).accepted_by_portal("H14.1-261122-00001", "sync", NOW)
    assert sent.status is S.SENT and sent.portal_code == "H14.1-261122-00001" and sent.sent_revision == 1
    assert entry.reason == "H14.1-261122-00001"


def test_more_documents_requested_needs_attention_then_a_new_revision():
    sent = dossier(S.SENT, portal_code="X-1", sent_revision=1)
    back, entry = sent.with_portal_status(PortalStatus.MORE_DOCUMENTS, "Thiếu bản án ly hôn", "sync", NOW)
    assert back.status is S.NEEDS_ATTENTION and back.attention_reason == "Thiếu bản án ly hôn"
    assert entry.action == "portal_status" and entry.to_status == "needs_attention"
    edited = back.with_declaration({"purpose": "Kết hôn"}, NOW)
    assert edited.revision == 2
    assert edited.with_declaration({"purpose": "Kết hôn lần 2"}, NOW).revision == 2  # one new revision per send


def test_progress_statuses_do_not_disturb_a_sent_dossier():
    sent = dossier(S.SENT, portal_code="X-1", sent_revision=1)
    progressed, _ = sent.with_portal_status(PortalStatus.IN_PROGRESS, "", "sync", NOW)
    assert progressed.status is S.SENT and progressed.portal_status is PortalStatus.IN_PROGRESS


def test_queued_or_sent_dossiers_cannot_be_edited():
    for status in (S.QUEUED, S.SENDING, S.SENT):
        with pytest.raises(IllegalTransition):
            dossier(status).with_declaration({}, NOW)
