"""``python -m loket.simulators.sms_gateway --port 8003 --port 8004 --dir var/sms-sink
--token demo-token --callback-secret demo-secret``: one simulated provider per port."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from loket.simulators.sms_gateway.app import SmsGateway


def main() -> None:
    parser = argparse.ArgumentParser(description="Local SMS gateway (demo and tests only).")
    parser.add_argument("--port", type=int, action="append", required=True)
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--callback-secret", required=True)
    args = parser.parse_args()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    gateways = [
        SmsGateway(
            token=args.token,
            callback_secret=args.callback_secret,
            name=f"sim{index + 1}",
            folder=args.dir,
            port=port,
        ).start()
        for index, port in enumerate(args.port)
    ]
    for gateway in gateways:
        print(f"SMS gateway {gateway.name} on {gateway.url}", flush=True)  # noqa: T201
    try:
        stop.wait()
    finally:
        for gateway in gateways:
            gateway.stop()


if __name__ == "__main__":
    main()
