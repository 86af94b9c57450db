"""``python -m loket.simulators.payment_provider --port 8005 --api-key … --webhook-secret …``"""

from __future__ import annotations

import argparse
import signal
import threading

from loket.simulators.payment_provider.app import PaymentProvider


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local payment provider (demo and tests only).")
    parser.add_argument("--port", type=int, default=8005)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--webhook-secret", required=True)
    args = parser.parse_args(argv)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    provider = PaymentProvider(
        api_key=args.api_key, webhook_secret=args.webhook_secret, port=args.port
    ).start()
    print(f"Local payment provider on {provider.url}", flush=True)  # noqa: T201
    try:
        stop.wait()
    finally:
        provider.stop()


if __name__ == "__main__":
    main()
