"""The outbox: queued dossiers go to the portal oldest first, each exactly once, whatever the network does.

Every step is recorded in the kit's database before it is taken and after it is done (the way ODK marks a
submission failed before uploading it), so a kit killed at any instant resumes correctly:

1. prepare  QUEUED -> SENDING and the payload frozen for this revision, in one transaction, before anything
            goes out. From here the portal may hold this revision: a retry sends the frozen payload again
            and gets the same MaHoSo back (the server is idempotent by UUID and revision); a dossier changed
            in between goes as the next revision instead, never as other content under the same one.
2. files    what the server lacks goes up in chunks. When a file may have gone before (this dossier was
            tried already, or another dossier shares the scan) the server is asked first how many bytes it
            holds (one question per dossier), so a cut upload resumes there: at most the chunk that was in
            flight is sent again.
3. dossier  the frozen payload.
4. done     SENDING -> SENT with the MaHoSo and the portal's status, and the outbox row closed, in one
            transaction.
A dossier left SENDING by a killed kit goes back to QUEUED when the next sync starts.

Network errors and 5xx are retried with exponential backoff and jitter; 429 and 503 wait as long as
Retry-After says. A refusal of the dossier itself sets it aside (needs attention, with the portal's words)
and the queue goes on; anything that would fail for every dossier (no network, login, TLS) stops the run.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import asdict, dataclass, field, replace
from typing import Any, NamedTuple, TypeVar

from fieldkit.core.dossier import AuditEntry, DocumentRef, Dossier
from fieldkit.core.errors import FieldKitError, NotFound, StorageError, VaultCorruption
from fieldkit.core.i18n import Translator
from fieldkit.core.portal_format import (
    DOSSIER_REFUSALS,
    FileRef,
    FileState,
    Receipt,
    content_sha256,
    files_of,
    submission,
)
from fieldkit.core.workflow import LocalStatus, PortalStatus
from fieldkit.storage.kit import Kit
from fieldkit.sync.backoff import RetryPolicy
from fieldkit.sync.chunks import SMALLEST, ChunkSize, MiB
from fieldkit.sync.errors import (
    BadResponse,
    Cancelled,
    NetworkError,
    NotAPortal,
    PortalFull,
    PortalRefused,
    ServerBusy,
)
from fieldkit.sync.outbox_store import CONFLICT, DELIVERED, MAY_HAVE_ARRIVED, REFUSED, SENDING, OutboxStore
from fieldkit.sync.session import PortalSession

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_CHUNK = MiB
# Dossiers on the wire at once: two keep the link busy while the portal files one and the kit records another.
DEFAULT_LANES = 2
DEFAULT_MAX_CHUNK = 8 * MiB  # the sync server's default limit; `fieldkit sync` asks the server for its own


@dataclass
class SyncProgress:
    """A plain value a screen can read on a timer (and the callback receives after every step)."""

    dossiers_total: int = 0
    dossiers_done: int = 0
    bytes_total: int = 0
    bytes_done: int = 0
    current: str | None = None


@dataclass(frozen=True)
class Sent:
    uuid: str
    revision: int
    portal_code: str
    portal_status: PortalStatus


@dataclass(frozen=True)
class SetAside:
    """A dossier moved to needs-attention: `reason` is what the user reads, `code` what happened."""

    uuid: str
    code: str
    reason: str


@dataclass(frozen=True)
class StatusUpdate:
    uuid: str
    portal_code: str
    portal_status: PortalStatus
    note: str


@dataclass
class SyncReport:
    sent: list[Sent] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    recovered: int = 0  # dossiers a killed sync had left SENDING, queued again
    stopped: FieldKitError | None = None  # why the run ended early (nothing is lost: the rest stays queued)
    cancelled: bool = False
    bytes_sent: int = 0  # file bytes put on the wire, retries included
    bytes_needed: int = 0  # file bytes the server lacked when first asked
    remaining: int = 0  # still queued at the end

    @property
    def complete(self) -> bool:
        return self.stopped is None and not self.cancelled


class _Prepared(NamedTuple):
    """A dossier ready for the wire: SENDING on the kit, its payload frozen."""

    sending: Dossier
    envelope: dict[str, Any]
    ask: bool  # whether to ask the server what it holds of the files first


class _Flight(NamedTuple):
    """A dossier on the wire: what is being sent, and the worker's future answer."""

    sending: Dossier
    future: Future[Receipt]


def _first_done(flights: list[_Flight]) -> _Flight:
    """Wait for a flight to end; take out and return the oldest of those ended."""
    wait_for([flight.future for flight in flights], return_when=FIRST_COMPLETED)
    flight = next(flight for flight in flights if flight.future.done())
    flights.remove(flight)
    return flight


def _arrived(flight: _Flight) -> _Delivered | None:
    """The flight's receipt if it got one (a run stopped meanwhile still records it), else None."""
    try:
        return _Delivered(flight.sending, flight.future.result())
    except BaseException:  # the run is stopping anyway; the dossier goes back to the queue
        return None


class _Delivered(NamedTuple):
    """The portal's receipt for a dossier, not yet recorded on the kit."""

    sending: Dossier
    receipt: Receipt


class _SetAside(Exception):
    """This dossier cannot go as it is; the others can."""

    def __init__(self, code: str, reason: str, step: str = REFUSED) -> None:
        super().__init__(code)
        self.code = code
        self.reason = reason
        self.step = step


def fingerprint(dossier: Dossier) -> str:
    """The dossier's own content (not its status): what changes when someone edits it."""
    return content_sha256(
        {
            "procedure": dossier.procedure_code,
            "applicant": dossier.applicant_id,
            "assisted_by": dossier.assisted_by,
            "place": [dossier.place.kind.value, dossier.place.village],
            "declaration": dossier.declaration,
            "documents": [asdict(doc) for doc in dossier.documents],
        }
    )


class Outbox:
    def __init__(
        self,
        kit: Kit,
        session: PortalSession,
        *,
        actor: str,
        tr: Translator | None = None,
        policy: RetryPolicy | None = None,
        chunk_size: int = DEFAULT_CHUNK,
        max_chunk: int = DEFAULT_MAX_CHUNK,
        rng: random.Random | None = None,
        sleep: Callable[[float], None] | None = None,
        progress: Callable[[SyncProgress], None] | None = None,
        cancel: threading.Event | None = None,
        lanes: int = DEFAULT_LANES,
    ) -> None:
        self.kit = kit
        self.session = session
        self.client = session.client
        self.actor = actor
        self.tr = tr or Translator(kit.settings.get("language"))
        self.policy = policy or RetryPolicy()
        self.chunks = ChunkSize(chunk_size, max_chunk)
        self.lanes = max(1, lanes)
        self.rng = rng or random.Random()
        self.cancel = cancel or threading.Event()
        # Set when a run stops with a dossier on the wire, so the worker stops too (the user's flag stays theirs).
        self._abort = threading.Event()
        self._sleep_for = sleep or self._wait
        self._on_progress = progress
        self.store = OutboxStore(kit.db)
        self.progress = SyncProgress()
        self._held: dict[str, int] = {}
        self._on_server: set[str] = set()  # files this run has seen complete on the server
        self._tally = threading.Lock()  # the lanes add to the same counts

    # -- the run --------------------------------------------------------------------------------------

    def pending(self) -> list[Dossier]:
        """Queued dossiers, the one queued longest ago first."""
        queued = {d.uuid: d for d in self.kit.dossiers.list(status=LocalStatus.QUEUED)}
        return [queued[uuid] for uuid in self.store.queue_order() if uuid in queued]

    def recover(self) -> int:
        """Dossiers left SENDING (by a killed sync, or on the wire when a run stopped) go back to QUEUED; their
        outbox record says how far they got."""
        stuck = self.kit.dossiers.list(status=LocalStatus.SENDING)
        for dossier in stuck:
            moved, entry = dossier.moved(LocalStatus.QUEUED, self.actor, self._now(), "interrupted")
            self.kit.dossiers.save(moved, [entry])
            log.info("dossier %s was interrupted while sending; queued again", dossier.uuid)
        return len(stuck)

    def run(self) -> SyncReport:
        """Send what is queued, then bring back status changes. Call it holding the kit's SyncLock.

        Dossiers go on the wire oldest first, `lanes` at a time (worker threads: network and vault reads
        only); meanwhile this thread prepares the next and records those landed (the database stays on the
        thread that owns it). One dossier more than there are lanes is prepared, so a lane that finishes
        starts the next at once instead of waiting for this thread's commit: at most `lanes + 1` dossiers are
        SENDING at any instant. A dossier lands as soon as its flight ends, not behind an older one still on
        the wire: waiting for the oldest would leave a lane idle behind every large scan. The report lists
        them in queue order all the same.

        A landed dossier's record joins the next one's start in one commit: nothing of either is on the wire
        between them, so a kill in that window only makes the next sync send it again, and the portal
        answers with the same MaHoSo.
        """
        self._abort.clear()
        self._held.clear()
        self._on_server.clear()
        report = SyncReport(recovered=self.recover())
        queue = self.pending()
        self.progress = SyncProgress(
            dossiers_total=len(queue), bytes_total=sum(d.size for q in queue for d in _unique_files(q))
        )
        self._notify()
        wire = ThreadPoolExecutor(max_workers=self.lanes, thread_name_prefix="fieldkit-sync")
        post = ThreadPoolExecutor(max_workers=self.lanes, thread_name_prefix="fieldkit-post")
        flights: list[_Flight] = []
        landed: _Delivered | None = None
        try:
            for dossier in queue:
                self._check_cancel()
                with self.kit.db.atomic():  # while earlier dossiers are on the wire
                    sent = self._record(landed)
                    prepared = self._begin(dossier, report)
                landed = None
                self._count(sent, report)
                if prepared is not None:
                    flights.append(_Flight(prepared.sending, self._fly(wire, post, prepared, report)))
                if len(flights) > self.lanes:  # every lane busy and the next ready: land the first to finish
                    landed = self._land(_first_done(flights), report)
            while flights or landed:
                self._count(self._record(landed), report)
                landed = None
                if flights:
                    landed = self._land(_first_done(flights), report)
            self.pull_changes(report)
        except Cancelled:
            report.cancelled = True
        except FieldKitError as error:
            report.stopped = error
            log.info("sync stopped: %s", type(error).__name__)
        finally:
            self._count(self._record(landed), report)  # stopped right after a landing: its record goes alone
            if flights:  # stopped (or interrupted) with dossiers on the wire: record those that arrived
                self._abort.set()
                for flight in flights:
                    self._count(self._record(_arrived(flight)), report)
            wire.shutdown(wait=True)
            post.shutdown(wait=True)
            self.recover()
            report.remaining = len(self.kit.dossiers.list(status=LocalStatus.QUEUED))
            place = {dossier.uuid: index for index, dossier in enumerate(queue)}
            report.sent.sort(key=lambda sent: place.get(sent.uuid, len(place)))
        return report

    def _count(self, sent: Sent | None, report: SyncReport) -> None:
        if sent is not None:
            report.sent.append(sent)
        self.progress.dossiers_done = len(report.sent) + len(report.set_aside)
        self._notify()

    # -- one dossier ----------------------------------------------------------------------------------

    def _begin(self, queued: Dossier, report: SyncReport) -> _Prepared | None:
        """Prepare the dossier, or set it aside when it cannot go (a file missing from the vault...)."""
        self.progress.current = queued.uuid
        try:
            return self._prepare(queued)
        except _SetAside as aside:
            self._set_aside(queued, aside, report)
            return None

    def _fly(
        self, wire: ThreadPoolExecutor, post: ThreadPoolExecutor, prepared: _Prepared, report: SyncReport
    ) -> Future[Receipt]:
        """The dossier's flight: its files on a lane of `wire`, then the dossier itself from `post`, so the lane
        takes the next dossier's files while the portal files this one (a commit it flushes to disk)."""
        receipt: Future[Receipt] = Future()

        def deliver() -> None:
            try:
                receipt.set_result(self._deliver(prepared.sending, prepared.envelope, report))
            except BaseException as error:  # the main thread takes it from the future
                receipt.set_exception(error)

        def files() -> None:
            try:
                self._send_files(prepared, report)
                post.submit(deliver)
            except BaseException as error:
                receipt.set_exception(error)

        wire.submit(files)
        return receipt

    def _send_files(self, prepared: _Prepared, report: SyncReport) -> None:
        """What the server lacks of the dossier's files (on a worker thread: no database here)."""
        sending, envelope = prepared.sending, prepared.envelope
        refs = [r for r in files_of(envelope) if r.sha256 not in self._on_server]
        if prepared.ask:
            held = self._retrying(lambda token: self.client.files_state(token, [r.sha256 for r in refs]))
        else:  # files never sent: the first piece starts at 0 (the server would skip any part it held)
            held = [FileState(r.sha256, r.size, 0, False) for r in refs]
        for ref, state in zip(refs, held, strict=True):
            self._upload(sending, ref, report, state)
            self._on_server.add(ref.sha256)

    def _land(self, flight: _Flight, report: SyncReport) -> _Delivered | None:
        """The outcome of a dossier's flight: delivered, set aside (the queue goes on), or a stop (raised)."""
        sending = flight.sending
        try:
            return _Delivered(sending, flight.future.result())
        except _SetAside as aside:
            self._set_aside(sending, aside, report)
            return None
        except PortalRefused as refusal:
            if refusal.code not in DOSSIER_REFUSALS:
                self._note_error(sending, refusal)
                raise NotAPortal("error.sync.protocol", code=refusal.code) from refusal
            step = CONFLICT if refusal.code == "revision_conflict" else REFUSED
            reason = refusal.text or self.tr("sync.refused", code=refusal.code)
            self._set_aside(sending, _SetAside(refusal.code, reason, step), report)
            return None
        except BaseException as error:
            self._note_error(sending, error)
            raise

    def _prepare(self, queued: Dossier) -> _Prepared | None:
        """QUEUED -> SENDING with the payload frozen for this revision, in one transaction."""
        dossier = self.kit.dossiers.get(queued.uuid)
        if dossier.status is not LocalStatus.QUEUED:  # taken out of the queue since the run began
            return None
        now = self._now()
        entries: list[AuditEntry] = []
        previous = self.store.get(dossier.uuid)
        content = fingerprint(dossier)
        same_revision = previous is not None and previous.revision == dossier.revision
        if (
            same_revision
            and previous.step in MAY_HAVE_ARRIVED
            and (previous.step == CONFLICT or previous.fingerprint != content)
        ):
            # The portal may hold this revision with other content: what is sent now is a new revision.
            dossier = replace(dossier, revision=dossier.revision + 1)
            entries.append(AuditEntry(now, self.actor, "revision", dossier.uuid, reason=f"rev{dossier.revision}"))
            same_revision = False
        reuse = (
            same_revision
            and previous.fingerprint == content
            and previous.payload is not None
            and previous.step == SENDING
        )
        envelope = previous.payload if reuse else self._envelope(dossier)
        for doc in dossier.documents:
            if not self.kit.vault.has(doc.sha256):
                raise _SetAside("missing_file", self._file_problem("sync.file_missing", dossier, doc))
        sending, entry = dossier.moved(LocalStatus.SENDING, self.actor, now)
        with self.kit.db.atomic():
            self.kit.dossiers.save(sending, [*entries, entry])
            self.store.start(sending.uuid, sending.revision, content, envelope, self.session.portal_url, now)
        log.info("sending dossier %s rev %d", sending.uuid, sending.revision)
        # The server can only hold some of these files if they went before: with this dossier, or another.
        ask = previous is not None or self.store.files_sent_before(sending.uuid, [d.sha256 for d in dossier.documents])
        return _Prepared(sending, envelope, ask)

    def _envelope(self, dossier: Dossier) -> dict[str, Any]:
        try:
            applicant = self.kit.citizens.get(dossier.applicant_id)
            procedure = self.kit.catalog.get(dossier.procedure_code)
        except NotFound as missing:
            raise _SetAside("incomplete", self.tr.msg(missing.message)) from None
        return submission(dossier, applicant, procedure)

    def _file_problem(self, key: str, dossier: Dossier, doc: DocumentRef) -> str:
        """Which paper, by the name the worker knows it by (the catalog's), and which file."""
        slot: object = doc.slot_code
        try:
            known = self.kit.catalog.get(dossier.procedure_code).slot(doc.slot_code)
            slot = known.name if known else slot
        except NotFound:
            pass
        return self.tr(key, slot=slot, file=doc.filename or doc.sha256[:12])

    def _upload(self, sending: Dossier, ref: FileRef, report: SyncReport, state: FileState | None = None) -> None:
        """Send what the server lacks of one file, chunk by chunk, resuming from what it says it holds."""
        data: bytes | None = None
        first_look, failures, restarts = True, 0, 0
        while True:
            self._check_cancel()
            try:
                if state is None:
                    state = self.session.call(lambda token: self.client.file_state(token, ref.sha256))
                if first_look:
                    with self._tally:
                        report.bytes_needed += 0 if state.complete else ref.size - state.received
                    first_look = False
                self._held_bytes(ref, ref.size if state.complete else state.received)
                if state.complete:
                    return
                if data is None:
                    data = self._file_bytes(sending, ref)
                start = state.received
                if start >= ref.size:
                    # The portal holds every byte but stopped before checking them (a crash or a restart between
                    # its last write and the check): the last piece again makes it finish the file.
                    start = max(0, ref.size - self.chunks.size)
                chunk = data[start : start + self.chunks.size]
                with self._tally:
                    report.bytes_sent += len(chunk)
                began = time.monotonic()
                state = self.session.call(
                    lambda token, start=start, chunk=chunk: self.client.put_chunk(
                        token, ref.sha256, start, chunk, ref.size
                    )
                )
                self.chunks.sent(time.monotonic() - began)
                self._held_bytes(ref, state.received)
                failures = 0  # progress: the next failure starts the backoff afresh
            except NetworkError as error:
                failures += 1
                self.chunks.failed()
                self._pause(error, failures)
                state = None  # ask again: the chunk may have arrived even if its answer did not
            except PortalRefused as refusal:
                if refusal.code == "request_too_large" and self.chunks.size > SMALLEST:
                    self.chunks.too_large()
                    state = None
                elif refusal.code == "offset_gap" and failures < self.policy.attempts:
                    failures += 1
                    state = None
                elif refusal.code == "file_hash_mismatch" and restarts < 2:
                    restarts += 1  # the bytes were damaged on the way; the server dropped them
                    state = None
                else:
                    raise

    def _file_bytes(self, sending: Dossier, ref: FileRef) -> bytes:
        doc = next(d for d in sending.documents if d.sha256 == ref.sha256)
        try:
            return self.kit.vault.get(ref.sha256)
        except NotFound:
            raise _SetAside("missing_file", self._file_problem("sync.file_missing", sending, doc)) from None
        except VaultCorruption:
            raise _SetAside("damaged_file", self._file_problem("sync.file_damaged", sending, doc)) from None
        except (StorageError, OSError):
            raise _SetAside("unreadable_file", self._file_problem("sync.file_unreadable", sending, doc)) from None

    def _deliver(self, sending: Dossier, envelope: dict[str, Any], report: SyncReport) -> Receipt:
        try:
            receipt = self._retrying(lambda token: self.client.put_dossier(token, envelope))
        except PortalRefused as refusal:
            if refusal.code != "files_missing":
                raise
            # The server lost a file after saying it held it (a restore, a purge): send them and try once more.
            for ref in files_of(envelope):
                self._upload(sending, ref, report)
            receipt = self._retrying(lambda token: self.client.put_dossier(token, envelope))
        if receipt.uuid != sending.uuid or receipt.revision != envelope["revision"]:
            raise BadResponse()
        return receipt

    def _record(self, delivered: _Delivered | None) -> Sent | None:
        """SENDING -> SENT with the MaHoSo and the portal's status, and the outbox row closed, together."""
        if delivered is None:
            return None
        sending, receipt = delivered
        now = self._now()
        sent, entry = sending.accepted_by_portal(receipt.ma_ho_so, self.actor, now)
        entries = [entry]
        if (receipt.status, receipt.note) != (sent.portal_status, sent.portal_note):
            sent, status_entry = sent.with_portal_status(receipt.status, receipt.note, self.actor, now)
            entries.append(status_entry)
        with self.kit.db.atomic():
            self.kit.dossiers.save(sent, entries)
            self.store.mark(sent.uuid, DELIVERED, now)
        log.info("dossier %s rev %d delivered", sent.uuid, sent.revision)
        return Sent(sent.uuid, sent.revision, receipt.ma_ho_so, receipt.status)

    def _set_aside(self, dossier: Dossier, aside: _SetAside, report: SyncReport) -> None:
        now = self._now()
        entries = []
        dossier = self.kit.dossiers.get(dossier.uuid)
        if dossier.status not in (LocalStatus.QUEUED, LocalStatus.SENDING):
            return
        if dossier.status is LocalStatus.QUEUED:
            dossier, entry = dossier.moved(LocalStatus.SENDING, self.actor, now)
            entries.append(entry)
        moved, entry = dossier.moved(LocalStatus.NEEDS_ATTENTION, self.actor, now, aside.reason)
        with self.kit.db.atomic():
            self.kit.dossiers.save(moved, [*entries, entry])
            if self.store.get(moved.uuid) is not None:
                self.store.mark(moved.uuid, aside.step, now, aside.code)
        report.set_aside.append(SetAside(moved.uuid, aside.code, aside.reason))
        log.info("dossier %s set aside: %s", moved.uuid, aside.code)

    def _note_error(self, sending: Dossier, error: BaseException) -> None:
        """Why the dossier's last try stopped (its type only); the end of the run returns it to the queue."""
        with self.kit.db.atomic():
            self.store.note_error(sending.uuid, type(error).__name__, self._now())

    # -- status changes -------------------------------------------------------------------------------

    def pull_changes(self, report: SyncReport) -> None:
        """Apply the portal's status changes since the last cursor, page by page, each with its cursor."""
        portal = self.session.portal_url
        while True:
            self._check_cancel()
            since = self.store.cursor(portal)
            page = self._retrying(lambda token, since=since: self.client.changes(token, since))
            now = self._now()
            with self.kit.db.atomic():
                for change in page.changes:
                    try:
                        dossier = self.kit.dossiers.get(change.uuid)
                    except NotFound:
                        continue  # sent from another kit under the same account
                    if dossier.uuid != change.uuid:
                        continue
                    # A supervisor's hub gives its own MaHoSo, then relays the portal's: the portal's replaces it.
                    code = change.ma_ho_so if dossier.portal_code else None
                    if (dossier.portal_code, dossier.portal_status, dossier.portal_note) == (
                        code or dossier.portal_code,
                        change.status,
                        change.note,
                    ):
                        continue
                    updated, entry = dossier.with_portal_status(change.status, change.note, self.actor, now)
                    updated = replace(updated, portal_code=code or updated.portal_code)
                    self.kit.dossiers.save(updated, [entry])
                    report.statuses.append(StatusUpdate(dossier.uuid, change.ma_ho_so, change.status, change.note))
                self.store.set_cursor(portal, page.cursor, now)
            if not page.more or not page.changes:
                return

    # -- waiting and retrying -------------------------------------------------------------------------

    def _retrying(self, operation: Callable[[str], T]) -> T:
        failures = 0
        while True:
            self._check_cancel()
            try:
                return self.session.call(operation)
            except NetworkError as error:
                failures += 1
                self._pause(error, failures)

    def _pause(self, error: NetworkError, failures: int) -> None:
        """Wait before the next try, or give up (re-raising) when the tries are spent or the wait too long."""
        if failures >= self.policy.attempts or isinstance(error, PortalFull):  # a full portal waits for a person
            raise error
        if isinstance(error, ServerBusy) and error.retry_after is not None:
            if error.retry_after > self.policy.longest_wait:
                raise error
            wait = error.retry_after
        else:
            wait = self.policy.delay(failures - 1, self.rng)
        log.info("retrying in %.1f s after %s", wait, type(error).__name__)
        self._sleep_for(wait)
        self._check_cancel()

    def _check_cancel(self) -> None:
        if self.cancel.is_set() or self._abort.is_set():
            raise Cancelled()

    def _wait(self, seconds: float) -> None:
        """Sleep, waking early when the user cancels or the run stops."""
        deadline = time.monotonic() + seconds
        while not (self.cancel.is_set() or self._abort.is_set()):
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.cancel.wait(min(left, 0.2))

    def _held_bytes(self, ref: FileRef, held: int) -> None:
        with self._tally:
            self._held[ref.sha256] = held
            self.progress.bytes_done = sum(self._held.values())
        self._notify()

    def _notify(self) -> None:
        if self._on_progress is not None:
            self._on_progress(self.progress)

    def _now(self):
        return self.kit.clock.now()


def _unique_files(dossier: Dossier) -> list:
    return list({doc.sha256: doc for doc in dossier.documents}.values())
