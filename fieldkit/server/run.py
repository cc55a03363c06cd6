"""Serving the app with uvicorn: from the command line, or in a thread (tests, the hub inside the GUI)."""

from __future__ import annotations

import threading

import uvicorn

from fieldkit.server.app import create_app
from fieldkit.server.config import ServerConfig
from fieldkit.server.store import ServerStore


def uvicorn_server(app, host: str, port: int, **tls: str) -> uvicorn.Server:
    """Any of FieldKit's apps (the training portal, the hub) under uvicorn with the same settings.
    `tls`: ssl_certfile and ssl_keyfile, for a hub served over HTTPS."""
    return uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            # Kits on slow links hold a connection between chunks; keep it a little longer than the default.
            timeout_keep_alive=15,
            server_header=False,
            **tls,
        )
    )


def serve(store: ServerStore, config: ServerConfig, host: str, port: int) -> None:
    """Serve until Ctrl-C (or SIGTERM)."""
    uvicorn_server(create_app(store, config), host, port).run()


class AppThread:
    """An app served on a background thread; `port` is known once `start()` returns (port 0 picks a free one)."""

    name = "sync-server"

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, **tls: str) -> None:
        self.server = uvicorn_server(app, host, port, **tls)
        self.scheme = "https" if tls else "http"
        self._thread = threading.Thread(target=self.server.run, name=self.name, daemon=True)
        self.host = host

    def start(self, timeout: float = 15):
        self._thread.start()
        pause = threading.Event()
        for _ in range(int(timeout / 0.02)):
            if self.server.started or not self._thread.is_alive():
                break
            pause.wait(0.02)
        if not self.server.started:
            raise RuntimeError(f"the {self.name} did not start")
        return self

    @property
    def port(self) -> int:
        sockets = self.server.servers[0].sockets
        return sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)


class ServerThread(AppThread):
    """The training portal (or any sync server over a store) on a background thread."""

    def __init__(
        self, store: ServerStore, config: ServerConfig, host: str = "127.0.0.1", port: int = 0, **tls: str
    ) -> None:
        super().__init__(create_app(store, config), host, port, **tls)
