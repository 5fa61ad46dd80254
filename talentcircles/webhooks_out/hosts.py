"""Where deliveries may go: public addresses only (an endpoint is any organisation admin's choice, so it
must not reach the servers beside ours: databases, metadata services, admin consoles).

The URL is checked when it is saved (an IP literal must be public) and the host again before every
attempt (every address it resolves to must be public). Loopback is allowed only with
WEBHOOKS_ALLOW_HTTP_LOCALHOST (development and tests).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

LOCAL_NAMES = {"localhost"}


def _allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if address.is_loopback:
        return bool(settings.WEBHOOKS_ALLOW_HTTP_LOCALHOST)
    return address.is_global


def literal_allowed(hostname: str) -> bool:
    """False for an IP literal that is not public (names are resolved at delivery)."""
    try:
        address = ipaddress.ip_address(hostname.strip("[]"))
    except ValueError:
        return hostname.lower() not in LOCAL_NAMES or bool(settings.WEBHOOKS_ALLOW_HTTP_LOCALHOST)
    return _allowed(address)


def refusal(url: str) -> str:
    """Why a delivery to `url` may not be attempted now, or "" when it may."""
    parts = urlsplit(url)
    hostname = parts.hostname or ""
    try:
        found = socket.getaddrinfo(hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except OSError as error:
        return f"Could not resolve {hostname}: {error}"
    for *_rest, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if not _allowed(address):
            return f"Refused: {hostname} resolves to {address}, which is not a public address."
    return ""
