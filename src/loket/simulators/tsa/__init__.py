"""A local RFC 3161 timestamp authority for the demo and the tests.

It speaks the real protocol: an HTTP POST of an ``application/timestamp-query``
answered with an ``application/timestamp-reply``, signed with the demo TSA certificate
(made by ``loket.documents`` with the demo CA). The token itself is built by pyHanko's
``DummyTimeStamper``; this module puts it behind HTTP on loopback.

``with TimestampAuthority(cert_file, key_file) as tsa: tsa.url`` in tests, or
``python -m loket.simulators.tsa --cert … --key … --port 8005`` as a process.
"""

from __future__ import annotations

from loket.simulators.tsa.server import TimestampAuthority, refuse_in_production

__all__ = ["TimestampAuthority", "refuse_in_production"]
