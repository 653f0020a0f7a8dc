"""Serving the sandbox with waitress: ``serve(config)`` for the command line, ``start_in_thread``
for tests and benchmarks (returns a handle with ``.url``, ``.app`` and ``.stop()``)."""

from __future__ import annotations

import logging
import socket
import threading

from waitress.server import create_server

from .app import SandboxApp
from .config import SandboxConfig


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _server(app: SandboxApp, config: SandboxConfig):
    # Connection limit well above the throttle's concurrency limit so 429s come from the throttle.
    return create_server(
        app, host=config.host, port=config.port, threads=config.threads, connection_limit=200,
        channel_timeout=120, ident="qbo-sandbox",
    )  # fmt: skip


def serve(config: SandboxConfig) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = SandboxApp(config)
    app.webhooks.start()
    server = _server(app, config)
    logging.getLogger("qbo_sandbox").info(
        "QBO sandbox on %s (discovery %s, realms %s)", config.base_url, config.discovery_url,
        ", ".join(r for r, _ in app.store.realms()),
    )  # fmt: skip
    try:
        server.run()
    finally:
        app.webhooks.stop()


class SandboxHandle:
    def __init__(self, app: SandboxApp, server, thread: threading.Thread, config: SandboxConfig) -> None:
        self.app, self.server, self.thread, self.config = app, server, thread, config
        self.url = config.base_url

    def stop(self) -> None:
        self.app.webhooks.stop()
        # waitress's loop runs while its channel map is non-empty (the wake-up trigger stays in it),
        # so close every channel, not just the listening socket, then stop the worker threads.
        self.server.close()
        for channel in list(self.server._map.values()):
            channel.close()
        self.server.task_dispatcher.shutdown(timeout=5)
        self.thread.join(timeout=5)


def start_in_thread(config: SandboxConfig) -> SandboxHandle:
    """Start on ``config.port`` (0 = pick a free port, written back into ``config``)."""
    if not config.port:
        config.port = free_port(config.host)
    app = SandboxApp(config)
    app.webhooks.start()
    server = _server(app, config)
    thread = threading.Thread(target=server.run, name="qbo-sandbox", daemon=True)
    thread.start()
    return SandboxHandle(app, server, thread, config)
