"""A local remote-signing service speaking the Cloud Signature Consortium API v2.

It holds the demo seal key (the PKCS#12 file of ``loket.documents``) the way a trust
service provider holds a municipality's: Loket authenticates with OAuth2 client
credentials (``oauth2/token``), finds its credential (``credentials/list``,
``credentials/info``), asks for signature activation data bound to the hashes
(``credentials/authorize``) and gets raw signatures back (``signatures/signHash``).
Every call after the token needs ``Authorization: Bearer …``.

``with SigningService(p12, password, client_id=…, client_secret=…) as csc: csc.url``
in tests, or ``python -m loket.simulators.csc --p12 … --password … --port 8006``.
"""

from __future__ import annotations

from loket.simulators.csc.server import SigningService, refuse_in_production

__all__ = ["SigningService", "refuse_in_production"]
