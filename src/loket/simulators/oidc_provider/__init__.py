"""The demo identity provider: OpenID Connect like FAS/CSAM (eID, itsme) and ACM/IDM.

See ``provider.py`` for what it implements and ``server.py`` for how it runs. It can
never run in production: ``server.create`` refuses ``LOKET_ENVIRONMENT=production``
and any address other than loopback.
"""

from loket.simulators.oidc_provider.provider import (
    DIALECTS,
    STAFF_DIALECT,
    STAFF_METHODS,
    Client,
    OidcProvider,
    SimulatorRefused,
    StaffPersonaLike,
    pkce_s256,
    subject_for,
)
from loket.simulators.oidc_provider.server import RunningProvider, create, start_in_thread

__all__ = [
    "DIALECTS",
    "STAFF_DIALECT",
    "STAFF_METHODS",
    "Client",
    "OidcProvider",
    "RunningProvider",
    "SimulatorRefused",
    "StaffPersonaLike",
    "create",
    "pkce_s256",
    "start_in_thread",
    "subject_for",
]
