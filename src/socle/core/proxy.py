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


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(remote_addr: str, forwarded_for: str, networks: tuple[Network, ...]) -> str:
    """The client's address: ``remote_addr`` unless it is a trusted proxy, in which case the
    right-most address of ``X-Forwarded-For`` that is not itself a trusted proxy (the left part
    of that header is written by the client and proves nothing)."""
    if not networks or not forwarded_for or not _trusted(remote_addr, networks):
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if _trusted(hop, networks):
            continue
        try:
            return str(ipaddress.ip_address(hop.strip("[]")))
        except ValueError:
            return remote_addr  # garbage where an address should be: keep the proxy's
    return remote_addr
