"""``python -m loket.simulators.smtp_sink --port 8002 --dir var/mail-sink``"""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from loket.simulators.smtp_sink.server import SmtpSink


def main() -> None:
    parser = argparse.ArgumentParser(description="Local SMTP sink (demo and tests only).")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", type=Path, required=True, help="Folder for the .eml files.")
    args = parser.parse_args()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    sink = SmtpSink(args.dir, port=args.port).start()
    print(f"SMTP sink on 127.0.0.1:{sink.port}, keeping mail in {args.dir}", flush=True)  # noqa: T201
    try:
        stop.wait()
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
