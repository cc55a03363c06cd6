"""A kit: one data directory with its database, its vault and its catalog, opened together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from fieldkit.core.catalog import Catalog, catalog_files, load_catalog
from fieldkit.core.clock import Clock, SystemClock
from fieldkit.core.resources import resource_path
from fieldkit.storage.citizens import CitizenStore
from fieldkit.storage.database import Connector, open_database, plain_connect
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

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        clock: Clock | None = None,
        connect: Connector = plain_connect,
        codec: Codec | None = None,
    ) -> Kit:
        data_dir = prepare_data_dir(Path(data_dir))
        db = open_database(data_dir / DATABASE_NAME, connect)
        vault = Vault(data_dir / "vault", codec)
        vault.clean_temp()
        catalog = load_catalog(catalog_files(resource_path("catalog"), data_dir / "catalog"))
        return cls(data_dir, db, vault, catalog, clock or SystemClock())

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
