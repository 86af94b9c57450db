"""Run the OpenID Connect simulator on loopback: in a thread (tests) or in the foreground
(``loket simulate-idp``)."""

from __future__ import annotations

import ipaddress
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from loket.simulators.oidc_provider.provider import (
    Client,
    OidcProvider,
    PersonaLike,
    SimulatorRefused,
    StaffPersonaLike,
)

LOOPBACK_NAMES = {"localhost"}


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    """Logs the method and path only: query strings carry codes and ID tokens."""

    verbose = False

    def log_message(self, format: str, *args: object) -> None:
        if self.verbose:
            path = self.path.split("?", 1)[0]
            sys.stderr.write(
                f"demo IdP: {self.command} {path} {args[1] if len(args) > 1 else ''}\n"
            )


class _VerboseHandler(_QuietHandler):
    verbose = True


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def refuse_unsafe(*, environment: str, host: str) -> None:
    if environment == "production":
        raise SimulatorRefused(
            "The demo identity provider refuses to run with LOKET_ENVIRONMENT=production: "
            "anyone could log in as anyone."
        )
    if not is_loopback(host):
        raise SimulatorRefused(f"The demo identity provider listens on loopback only, not {host}.")


@dataclass
class RunningProvider:
    provider: OidcProvider
    server: _ThreadingServer
    thread: threading.Thread | None

    @property
    def url(self) -> str:
        return self.provider.base_url

    def issuer(self, dialect: str) -> str:
        return self.provider.issuer(dialect)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)


def create(
    *,
    personas: Sequence[PersonaLike],
    clients: Iterable[Client],
    environment: str,
    host: str = "127.0.0.1",
    port: int = 0,
    key_file: Path | None = None,
    verbose: bool = False,
    staff_personas: Sequence[StaffPersonaLike] = (),
) -> RunningProvider:
    """Bind the simulator (port 0: any free port); it serves once started."""
    refuse_unsafe(environment=environment, host=host)
    provider = OidcProvider(
        personas=personas, clients=clients, key_file=key_file, staff_personas=staff_personas
    )
    handler = _VerboseHandler if verbose else _QuietHandler
    server = make_server(host, port, provider, server_class=_ThreadingServer, handler_class=handler)
    shown_host = f"[{host}]" if ":" in host else host
    provider.base_url = f"http://{shown_host}:{server.server_port}"
    return RunningProvider(provider=provider, server=server, thread=None)


def start_in_thread(
    *,
    personas: Sequence[PersonaLike],
    clients: Iterable[Client],
    environment: str,
    host: str = "127.0.0.1",
    port: int = 0,
    staff_personas: Sequence[StaffPersonaLike] = (),
) -> RunningProvider:
    """Bind and serve from a daemon thread (tests); ``stop()`` ends it."""
    running = create(
        personas=personas,
        clients=clients,
        environment=environment,
        host=host,
        port=port,
        staff_personas=staff_personas,
    )
    thread = threading.Thread(target=running.server.serve_forever, daemon=True, name="demo-idp")
    thread.start()
    running.thread = thread
    return running
