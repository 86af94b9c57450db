"""The `loket` command.

loket demo      the demo municipality: migrate, seed when empty, web server + worker
loket serve     production web server (gunicorn, several processes)
loket worker    task worker with the periodic scheduler
loket seed      build the demo municipality (`--residents 550000` for Antwerp scale)
loket check     Django's deployment checks plus Loket's own; exits 1 on any problem
loket bench     benchmark scenarios with a baseline measured in the same run
loket envdocs   write docs/env.md from the settings' declarations
loket backup    one archive with the database and the stored files, `--output FILE`
loket restore   restore such an archive into an empty instance (`--force`, `--verify-only`)
loket simulate-idp  the demo identity provider (eID/itsme personas), `--port 8001`
loket simulate-payments  the local payment provider (demo and tests), `--port 8005`
loket <cmd>     any other Django management command (migrate, createsuperuser, ...)
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loket.config.settings")
    if args[:1] == ["demo"]:
        os.environ.setdefault("LOKET_DEMO", "true")
    if args[:1] in (["-h"], ["--help"], []):
        print(__doc__)
        return

    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        print(f"loket: the settings are not safe or not complete:\n  {exc}", file=sys.stderr)
        raise SystemExit(1) from None

    from django.core.management import execute_from_command_line

    if args[:1] == ["envdocs"]:
        _envdocs(args[1:])
        return
    if args[:1] == ["simulate-idp"]:
        _simulate_idp(args[1:])
        return
    if args[:1] == ["simulate-payments"]:
        _simulate_payments(args[1:])
        return
    if args[:1] == ["check"] and len(args) == 1:
        args = ["check", "--deploy", "--fail-level", "WARNING"]
    execute_from_command_line(["loket", *args])


def _envdocs(args: list[str]) -> None:
    """Write docs/env.md (or print it with `--output -`) from the settings' declarations."""
    from pathlib import Path

    from loket.config.env import render_markdown

    output = args[args.index("--output") + 1] if "--output" in args else "docs/env.md"
    text = render_markdown()
    if output == "-":
        sys.stdout.write(text)
        return
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_text(text, encoding="utf-8")
    print(f"Wrote {output}")


def _simulate_payments(args: list[str]) -> None:
    """Run the local payment provider in the foreground until Ctrl-C (PORT+5)."""
    from django.conf import settings

    from loket.simulators.payment_provider.__main__ import main as run

    if "--port" not in args:
        args = [*args, "--port", str(settings.PORT + 5)]
    run(
        [
            *args,
            "--api-key",
            settings.LOKET_PAYMENT_API_KEY,
            "--webhook-secret",
            settings.LOKET_PAYMENT_WEBHOOK_SECRET,
        ]
    )


def _simulate_idp(args: list[str]) -> None:
    """Run the demo identity provider in the foreground until Ctrl-C."""
    import argparse
    from types import SimpleNamespace

    from django.conf import settings

    from loket.demo.constants import (
        DEMO_STAFF,
        MAIL_DOMAIN,
        PERSONA_CLIENT_ID,
        PERSONA_CLIENT_SECRET,
        PERSONAS,
    )
    from loket.simulators.oidc_provider import Client, SimulatorRefused, create

    parser = argparse.ArgumentParser(prog="loket simulate-idp")
    parser.add_argument("--port", type=int, default=settings.PORT + 1)
    parser.add_argument("--host", default="127.0.0.1")
    options = parser.parse_args(args)
    client = Client(
        settings.LOKET_OIDC_CLIENT_ID or PERSONA_CLIENT_ID,
        settings.LOKET_OIDC_CLIENT_SECRET or PERSONA_CLIENT_SECRET,
        (
            "http://127.0.0.1:",
            "http://localhost:",
            "http://[::1]:",
            settings.LOKET_BASE_URL.rstrip("/") + "/",
        ),
    )
    # The municipality's own identity provider for staff single sign-on: a second
    # client, and the demo staff as its users (they log in with a password and a code).
    staff_client = Client(
        settings.LOKET_STAFF_OIDC_CLIENT_ID or "loket-staff",
        settings.LOKET_STAFF_OIDC_CLIENT_SECRET or "loket-staff-demo-secret",
        client.redirect_uri_prefixes,
    )
    staff_personas = [
        SimpleNamespace(
            key=staff.username,
            username=staff.username,
            first_name=staff.first_name,
            last_name=staff.last_name,
            email=f"{staff.username}@{MAIL_DOMAIN}",
            description=staff.description or "medewerker",
        )
        for staff in DEMO_STAFF
    ]
    try:
        running = create(
            personas=PERSONAS,
            staff_personas=staff_personas,
            clients=[client, staff_client],
            environment=settings.LOKET_ENVIRONMENT,
            host=options.host,
            port=options.port,
            key_file=settings.DATA_DIR / "demo-idp-keys.json",
            verbose=True,
        )
    except SimulatorRefused as exc:
        print(f"loket: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    except OSError as exc:
        print(f"loket: the demo identity provider cannot listen: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    print(
        f"Demo identity provider (FAS: {running.issuer('fas')}, ACM: {running.issuer('acm')}, "
        f"staff: {running.issuer('staff')})"
    )
    sys.stdout.flush()
    import signal

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        running.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        running.server.server_close()


if __name__ == "__main__":
    main()
