"""A kit: one data directory with its database, its vault and its catalog, opened together."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from fieldkit.core.catalog import Catalog, catalog_files, load_catalog
from fieldkit.core.clock import Clock, SystemClock
from fieldkit.core.errors import StorageError, UserError
from fieldkit.core.resources import resource_path
from fieldkit.storage.accounts import Accounts
from fieldkit.storage.citizens import CitizenStore
from fieldkit.storage.database import Connector, is_plain_sqlite, open_database, plain_connect
from fieldkit.storage.datadir import prepare_data_dir
from fieldkit.storage.dossiers import DossierStore
from fieldkit.storage.settings import SettingsStore
from fieldkit.storage.vault import Codec, Vault

DATABASE_NAME = "fieldkit.db"


@dataclass
class Kit:
    data_dir: Path
    db: Database
    vault: Vault
    catalog: Catalog
    clock: Clock
    # The unwrapped data key of an encrypted kit (to wrap it for a new user); None for a plain kit.
    data_key: bytes | None = field(default=None, repr=False)

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        clock: Clock | None = None,
        connect: Connector = plain_connect,
        codec: Codec | None = None,
    ) -> Kit:
        """The low-level constructor. The product opens kits only through `storage.security.unlock_kit`,
        which always encrypts; a plain open of a kit that has accounts is refused with a clear message."""
        data_dir = prepare_data_dir(Path(data_dir))
        if connect is plain_connect:
            _refuse_plain_open(data_dir)
        db = open_database(data_dir / DATABASE_NAME, connect)
        vault = Vault(data_dir / "vault", codec)
        vault.clean_temp()
        catalog = cls.load_catalog(data_dir)
        return cls(data_dir, db, vault, catalog, clock or SystemClock())

    @staticmethod
    def load_catalog(data_dir: Path) -> Catalog:
        """The procedure catalog is public: it can be read without unlocking the kit."""
        return load_catalog(catalog_files(resource_path("catalog"), Path(data_dir) / "catalog"))

    @property
    def citizens(self) -> CitizenStore:
        return CitizenStore(self.db)

    @property
    def dossiers(self) -> DossierStore:
        return DossierStore(self.db)

    @property
    def settings(self) -> SettingsStore:
        return SettingsStore(self.db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Kit:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _refuse_plain_open(data_dir: Path) -> None:
    if Accounts.exists_in(data_dir):
        raise UserError("error.kit.encrypted", data_dir=str(data_dir))
    database = data_dir / DATABASE_NAME
    if database.exists() and database.stat().st_size and not is_plain_sqlite(database):
        raise StorageError("error.kit.accounts_missing", data_dir=str(data_dir))
