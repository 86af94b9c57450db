"""python -m loket.simulators.tsa --cert demo-tsa.pem --key demo-tsa-key.pem --port 8005"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from loket.simulators.tsa.server import TimestampAuthority, refuse_in_production


def main() -> None:
    refuse_in_production()
    parser = argparse.ArgumentParser(prog="python -m loket.simulators.tsa")
    parser.add_argument("--cert", required=True, type=Path, help="TSA certificate (PEM)")
    parser.add_argument("--key", required=True, type=Path, help="TSA private key (PEM)")
    parser.add_argument("--port", type=int, default=8005)
    options = parser.parse_args()
    tsa = TimestampAuthority(options.cert, options.key, port=options.port)
    print(f"Demo timestamp authority at {tsa.url}", flush=True)  # noqa: T201

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        tsa.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        tsa.server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
