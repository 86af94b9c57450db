"""`loket demo`: the demo municipality with one command.

Migrates the SQLite database in LOKET_DATA_DIR, seeds the demo municipality when the
database is empty, then runs the web server and a task worker side by side until Ctrl-C.
Running it again keeps the data.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.demo.constants import DEMO_TOTP_SECRET
from loket.demo.services import demo_logins

STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


class Command(BaseCommand):
    help = "Start the demo municipality: web server and task worker, with demo data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=None, help="Default: PORT (8000).")
        parser.add_argument("--no-worker", action="store_true", help="Only the web server.")

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"] or settings.PORT
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        self.stdout.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed", verbosity=options["verbosity"])

        env = {**os.environ, "LOKET_DEMO": "true", "PYTHONUNBUFFERED": "1"}
        env.update(self._message_sinks_env(port))
        if "LOKET_OIDC_ISSUER" not in os.environ:  # residents log in at the demo IdP
            env["LOKET_OIDC_ISSUER"] = f"http://127.0.0.1:{port + 1}/{settings.LOKET_OIDC_DIALECT}"
        if "LOKET_STAFF_OIDC_ISSUER" not in os.environ:  # staff single sign-on, same IdP
            env["LOKET_STAFF_OIDC_ISSUER"] = f"http://127.0.0.1:{port + 1}/staff"
        if "LOKET_PAYMENT_LOCAL_URL" not in os.environ:  # the local payment provider
            env["LOKET_PAYMENT_LOCAL_URL"] = f"http://127.0.0.1:{port + 5}"
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        # Our own handlers, also when started with SIGINT ignored (e.g. from a script).
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        # Started inside the try: whatever did start is stopped again if a later part fails.
        children: dict[str, subprocess.Popen[bytes]] = {}
        try:
            self._start_children(children, port, env, worker=not options["no_worker"])
            self._wait_until_up(port, children, lambda: stopping)
            if not stopping:
                self._print_welcome(port)
            while not stopping:
                if _stopped(children):
                    time.sleep(0.5)  # a Ctrl-C reaches the children too; let ours land
                    if not stopping:
                        raise CommandError(
                            f"The demo's {', '.join(_stopped(children))} stopped unexpectedly."
                        )
                time.sleep(0.2)
        finally:
            self._stop(list(children.values()))
        self.stdout.write(f"The demo has stopped. Its data stay in {settings.DATA_DIR}.")

    def _start_children(
        self,
        children: dict[str, subprocess.Popen[bytes]],
        port: int,
        env: dict[str, str],
        *,
        worker: bool,
    ) -> None:
        loket = [sys.executable, "-m", "loket"]
        serve = [*loket, "serve", "--port", str(port), "--workers", "2", "--graceful-timeout", "3"]
        children[f"web server (port {port})"] = subprocess.Popen(serve, env=env)
        if worker:
            children["task worker"] = subprocess.Popen([*loket, "worker"], env=env)
        idp = [*loket, "simulate-idp", "--port", str(port + 1)]
        children[f"identity provider (port {port + 1})"] = subprocess.Popen(idp, env=env)
        psp = [*loket, "simulate-payments", "--port", str(port + 5)]
        children[f"payment provider (port {port + 5})"] = subprocess.Popen(psp, env=env)
        self._start_message_sinks(children, port, env)

    def _message_sinks_env(self, port: int) -> dict[str, str]:
        """E-mail and text messages go to local simulators (PORT+2, PORT+3 and +4)."""
        return {
            "LOKET_EMAIL_BACKEND": "smtp",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port + 2),
            "EMAIL_USE_TLS": "false",
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "LOKET_SMS_GATEWAYS": f"http://127.0.0.1:{port + 3}/v1,http://127.0.0.1:{port + 4}/v1",
            "LOKET_SMS_API_TOKENS": "demo-sms-token,demo-sms-token",
            "LOKET_SMS_CALLBACK_SECRET": "demo-sms-callback-secret",
        }

    def _start_message_sinks(
        self, children: dict[str, subprocess.Popen[bytes]], port: int, env: dict[str, str]
    ) -> None:
        sms = [sys.executable, "-m", "loket.simulators.sms_gateway"]
        sms += ["--port", str(port + 3), "--port", str(port + 4)]
        sms += ["--dir", str(settings.DATA_DIR / "sms-sink"), "--token", "demo-sms-token"]
        sms += ["--callback-secret", "demo-sms-callback-secret"]
        smtp = [sys.executable, "-m", "loket.simulators.smtp_sink", "--port", str(port + 2)]
        smtp += ["--dir", str(settings.DATA_DIR / "mail-sink")]
        children[f"e-mail simulator (port {port + 2})"] = subprocess.Popen(smtp, env=env)
        children[f"SMS simulator (ports {port + 3}, {port + 4})"] = subprocess.Popen(sms, env=env)

    def _wait_until_up(
        self,
        port: int,
        children: dict[str, subprocess.Popen[bytes]],
        stopping: Callable[[], bool],
    ) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        url = f"http://127.0.0.1:{port}/healthz"
        while time.monotonic() < deadline and not stopping():
            if _stopped(children):
                raise CommandError(
                    f"The demo's {', '.join(_stopped(children))} could not start. The demo "
                    f"uses ports {port} to {port + 4}: is one of them in use already? "
                    "Choose others, e.g. PORT=8080 make demo"
                )
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        if stopping():
            return
        raise CommandError(f"The web server did not answer within {STARTUP_TIMEOUT:.0f} seconds.")

    def _print_welcome(self, port: int) -> None:
        base = f"http://127.0.0.1:{port}"
        lines = [
            "",
            "Loket is running: the demo municipality Mandelmunster is ready.",
            "",
            f"  Portal (residents)   {base}/",
            f"  Back office (staff)  {base}/backoffice/",
            f"  Configuration        {base}/admin/",
            f"  Health               {base}/healthz",
            f"  Demo identity provider (eID/itsme)  http://127.0.0.1:{port + 1}/",
            "",
            "Demo logins (back office and configuration):",
        ]
        for login in demo_logins():
            lines.append(f"  {login.username:<18} {login.password:<18} {login.description}")
        lines += [
            "",
            "Second login step: the demo shows the current code of the demo authenticator",
            f"app on the page, or add the key {DEMO_TOTP_SECRET} to your own app.",
        ]
        lines += ["", "Stop with Ctrl-C; the data are kept for next time.", ""]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()

    def _stop(self, children: list[subprocess.Popen[bytes]]) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in children:
            remaining = max(0.1, deadline - time.monotonic())
            try:
                child.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _stopped(children: dict[str, subprocess.Popen[bytes]]) -> list[str]:
    """The names of the demo's parts that are no longer running."""
    return [name for name, child in children.items() if child.poll() is not None]
