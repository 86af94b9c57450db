"""Where webhooks may go: never to this machine's neighbours (SSRF).

A subscriber's address must resolve to public addresses only: private, loopback,
link-local (cloud metadata at 169.254.169.254), shared (100.64.0.0/10), multicast,
reserved and unspecified addresses are refused, also when hidden inside an IPv6 form
(IPv4-mapped, 6to4, NAT64). IPv4-compatible IPv6 addresses (``::/96``, deprecated) and
local-use NAT64 (``64:ff9b:1::/48``, translated by the site's own gateway) are refused
outright. The check runs when a subscription is made and again at
every delivery, on the very address the connection then uses (so a name that
resolves to a public address at the check and to a private one a moment later
cannot slip through: the connection goes to the address that was checked).

``LOKET_WEBHOOK_ALLOW_LOOPBACK`` lets loopback through for development and tests (a
receiver on 127.0.0.1); it never holds with ``LOKET_ENVIRONMENT=production``.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from loket.core.services import DomainError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class AddressRefused(DomainError):
    """The address is not a public one (or does not resolve to public ones only)."""


def loopback_allowed() -> bool:
    return bool(getattr(settings, "LOKET_WEBHOOK_ALLOW_LOOPBACK", False)) and not getattr(
        settings, "PRODUCTION", False
    )


def _embedded(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 form carries, if any."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip in NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def address_allowed(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and (
        ip in LOCAL_NAT64 or (ip in IPV4_COMPATIBLE and not ip.is_loopback)
    ):
        return False
    ip = _embedded(ip)
    if ip.is_loopback:
        return loopback_allowed()
    return ip.is_global and not ip.is_multicast


def resolve_checked(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, if all of them are allowed; else
    ``AddressRefused``. Raises ``OSError`` when the name does not resolve."""
    host = host.strip("[]").rstrip(".")
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise OSError(f"{host} has no address")
    for text in addresses:
        if not address_allowed(ipaddress.ip_address(text)):
            raise AddressRefused(
                _(
                    "Webhooks go to public addresses only; this address points to a "
                    "private, local or reserved network."
                )
            )
    return addresses


def url_check(*, host: str, port: int) -> None:
    """At registration: refuse an address that resolves to a refused network. A name
    that does not resolve (yet) is accepted; every delivery checks again."""
    try:
        resolve_checked(host, port)
    except OSError:
        return


# --- A requests session that connects only to checked addresses ---------------------


class _CheckedConnectionMixin:
    """Resolves the host itself, checks every address, and connects to a checked one;
    the Host header, TLS server name and certificate check keep the name."""

    _dns_host: str
    port: int

    def _new_conn(self) -> Any:
        # urllib3 opens the socket to ``_dns_host`` but takes the TLS server name and
        # the certificate's expected host name from it as well (``host``): connect to
        # the checked address, then give the name back before TLS starts.
        name = self._dns_host
        self._dns_host = resolve_checked(name, self.port)[0]
        try:
            return super()._new_conn()  # type: ignore[misc]
        finally:
            self._dns_host = name


class _CheckedHTTPConnection(_CheckedConnectionMixin, HTTPConnection):
    pass


class _CheckedHTTPSConnection(_CheckedConnectionMixin, HTTPSConnection):
    pass


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class CheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPPool,
            "https": _CheckedHTTPSPool,
        }


def checked_session() -> Any:
    """A session for one delivery: no proxies from the environment (the check must
    see the real destination), no redirects followed (the caller says so too)."""
    import requests

    session = requests.Session()
    session.trust_env = False
    adapter = CheckedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
