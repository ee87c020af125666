"""Internal network addresses: the CAS server's back-channel calls (single logout, proxy
callbacks) do not reach them unless ``SOCLE_CAS_OUTBOUND_PRIVATE`` says so, and an
establishment administrator cannot register a service on one (socle.portal.internal_hosts).
In ``core`` because both the CAS and the portal use it, and the portal never imports the CAS."""

from __future__ import annotations

import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_internal(ip: IPAddress) -> bool:
    """Loopback, private, link-local (169.254.169.254: cloud metadata), multicast, reserved,
    unspecified, or any other address the IANA special-purpose registries do not mark as
    globally reachable (``is_global``: the shared address space 100.64.0.0/10 of carrier-grade
    NAT, benchmarking 198.18.0.0/15…). An IPv4 address mapped or embedded in IPv6 is judged as
    IPv4."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            ip = embedded
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def ip_literal(host: str) -> IPAddress | None:
    """The address a host name written as an IP literal stands for, in any form a resolver
    accepts (``127.0.0.1``, ``[::1]``, ``127.1``, ``2130706433``, ``0x7f.0.0.1``), or None."""
    host = host.strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def is_internal_host(host: str) -> bool:
    """``localhost`` (and ``*.localhost``) or an IP literal in an internal range: no DNS."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    ip = ip_literal(name)
    return ip is not None and is_internal(ip)
