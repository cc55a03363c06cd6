"""A real child process saving dossiers is killed at random moments; the kit must hold whole dossiers only."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
import time

import pytest

from fieldkit.storage.kit import Kit

WRITER = textwrap.dedent(
    """
    import sys
    from dataclasses import replace
    from fieldkit.core.dossier import AuditEntry, DocumentRef
    from fieldkit.storage.citizen_service import CitizenService
    from fieldkit.storage.dossier_service import DossierService
    from fieldkit.storage.kit import Kit
    from tests.conftest import an_citizen

    kit = Kit.open(sys.argv[1])
    CitizenService(kit, "w").save(an_citizen())
    service = DossierService(kit, "w")
    dossiers = kit.dossiers.list() or [service.create("1.004873", "001090012345") for _ in range(3)]
    print("ready", flush=True)
    step = 0
    while True:
        step += 1
        for dossier in dossiers:
            # Every save writes a marker into the declaration, as many documents as the marker says and an
            # audit entry with the same marker: a half-written save would break the agreement.
            docs = tuple(
                DocumentRef("TOKHAI", f"{step:064x}", 1000 + i, "application/pdf", 1, f"{step}-{i}")
                for i in range(step % 7)
            )
            updated = replace(dossier, declaration={"marker": str(step), "padding": "x" * 50_000},
                              documents=docs)
            kit.dossiers.save(updated, [AuditEntry(kit.clock.now(), "w", "edited", dossier.uuid, reason=str(step))])
    """
)


def check_consistent(data_dir) -> int:
    with Kit.open(data_dir) as kit:
        assert kit.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        dossiers = kit.dossiers.list()
        assert len(dossiers) == 3
        steps = []
        for dossier in dossiers:
            marker = dossier.declaration.get("marker")
            if marker is None:  # killed before its first save: still the whole, empty draft
                assert dossier.documents == ()
                continue
            step = int(marker)
            assert len(dossier.declaration["padding"]) == 50_000
            assert [d.filename for d in dossier.documents] == [f"{step}-{i}" for i in range(step % 7)]
            last = [e for e in kit.dossiers.audit.for_dossier(dossier.uuid) if e.action == "edited"][-1]
            assert last.reason == marker
            steps.append(step)
        return max(steps, default=0)


@pytest.mark.slow
def test_killing_a_writer_leaves_whole_dossiers(tmp_path):
    rng = random.Random(7)
    data_dir = tmp_path / "kit"
    progress = []
    for _ in range(6):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(data_dir)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        time.sleep(rng.uniform(0.05, 0.6))
        child.kill()  # SIGKILL on POSIX, TerminateProcess on Windows: no clean-up runs
        child.wait()
        # The next writer reopens the kit that was killed under it and goes on.
        progress.append(check_consistent(data_dir))
    assert max(progress) > 0  # the writer really was writing when it died
