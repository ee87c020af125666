"""The client's address behind a reverse proxy (pure functions, no Django)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ProxyListError(ValueError):
    """An entry of ``SOCLE_TRUSTED_PROXIES`` is not an address or a network."""


def parse_networks(items: Iterable[str]) -> tuple[Network, ...]:
    """The networks; :class:`ProxyListError` naming every item that is not one (all at once, so
    that a list is corrected in one go)."""
    networks = []
    bad = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            bad.append(repr(item))
    if len(bad) == 1:
        raise ProxyListError(f"{bad[0]} n'est ni une adresse IP ni un réseau")
    if bad:
        raise ProxyListError(f"{', '.join(bad)} ne sont ni des adresses IP ni des réseaux")
    return tuple(networks)


def is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    """Whether ``address`` is in one of ``networks`` (an unreadable address is not)."""
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(remote_addr: str, forwarded_for: str, networks: tuple[Network, ...]) -> str:
    """The client's address: ``remote_addr`` unless it is a trusted proxy, in which case the
    right-most address of ``X-Forwarded-For`` that is not itself a trusted proxy (the left part
    of that header is written by the client and proves nothing)."""
    if not networks or not forwarded_for or not is_trusted(remote_addr, networks):
        return remote_addr
    return forwarded_client(remote_addr, forwarded_for, networks)


def forwarded_client(remote_addr: str, forwarded_for: str, networks: tuple[Network, ...]) -> str:
    """:func:`client_address` once ``remote_addr`` is known to be a trusted proxy."""
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if is_trusted(hop, networks):
            continue
        try:
            return str(ipaddress.ip_address(hop.strip("[]")))
        except ValueError:
            return remote_addr  # garbage where an address should be: keep the proxy's
    return remote_addr
