"""python -m loket.simulators.csc --p12 demo-seal.p12 --password demo-seal --port 8006"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from loket.simulators.csc.server import SigningService, refuse_in_production


def main() -> None:
    refuse_in_production()
    parser = argparse.ArgumentParser(prog="python -m loket.simulators.csc")
    parser.add_argument("--p12", required=True, type=Path, help="seal key and certificate")
    parser.add_argument("--password", default="", help="password of the PKCS#12 file")
    parser.add_argument("--client-id", default="loket-demo")
    parser.add_argument(
        "--client-secret",
        default=os.environ.get("LOKET_SEAL_REMOTE_CLIENT_SECRET", "demo-secret"),
        help="default: $LOKET_SEAL_REMOTE_CLIENT_SECRET, else demo-secret",
    )
    parser.add_argument("--credential-id", default="loket-seal")
    parser.add_argument("--pin", default="", help="PIN credentials/authorize asks for")
    parser.add_argument("--port", type=int, default=8006)
    options = parser.parse_args()
    service = SigningService(
        options.p12,
        options.password,
        client_id=options.client_id,
        client_secret=options.client_secret,
        credential_id=options.credential_id,
        pin=options.pin,
        port=options.port,
    )
    print(f"Demo remote signing service (CSC API v2) at {service.url}", flush=True)  # noqa: T201

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        service.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        service.server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
