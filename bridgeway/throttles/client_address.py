"""The address a request came from, as far as the proxies in front of Bridgeway can be trusted.

Plain data, no Django: the caller passes the connection's address, the X-Forwarded-For
header and how many proxies it trusts (``TRUSTED_PROXY_COUNT``).
"""

from __future__ import annotations

import ipaddress


def client_address(*, remote_addr: str, forwarded_for: str, trusted_proxies: int) -> str:
    """The address of the client a request came from, as far as the proxies can be trusted.

    With no trusted proxies it is the connection's own address: X-Forwarded-For is then
    anyone's to write. With ``n`` trusted proxies it is the ``n``-th address counting back
    from the connection, the right-most one no trusted proxy wrote (or the left-most there
    is, when the header is shorter). IPv6 addresses are taken to their /64, which one home
    or phone holds whole, so moving within it does not make a new client.
    """
    hops = [remote_addr.strip()]
    hops += [part.strip() for part in reversed(forwarded_for.split(",")) if part.strip()]
    chosen = hops[min(max(trusted_proxies, 0), len(hops) - 1)]
    try:
        address = ipaddress.ip_address(chosen)
    except ValueError:
        return chosen
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
