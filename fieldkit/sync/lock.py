"""One sync at a time per kit: an OS file lock, which the operating system releases when the process dies,
so a kit killed mid-sync is never locked out after a restart."""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

from fieldkit.sync.errors import SyncBusy

if os.name == "nt":
    import msvcrt
else:
    import fcntl


class SyncLock:
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "fieldkit-sync.lock"
        self._fd: int | None = None

    def __enter__(self) -> SyncLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.name == "nt":
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise SyncBusy() from None
        self._fd = fd
        return self

    def __exit__(self, kind: type | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if self._fd is None:
            return
        if os.name == "nt":
            os.lseek(self._fd, 0, os.SEEK_SET)
            msvcrt.locking(self._fd, msvcrt.LK_UNLCK, 1)
        else:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None
