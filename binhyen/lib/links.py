"""Which URLs written by citizens may be shown to officers as clickable links.

A link in a citizen's message is the citizen's choice, and officers click from inside the
console: `javascript:`/`data:` run in the console's origin, `file:` and intranet addresses
(the router, the cloud metadata service, the console itself on 127.0.0.1) reach what the
officer's browser can reach and the citizen cannot. Only http(s) URLs to public host
names and global IP addresses are links; everything else is shown as text.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

# Names that resolve inside the officer's network, never on the public internet (RFC 6761,
# RFC 6762, RFC 8375 and common private conventions).
_PRIVATE_SUFFIXES = (
    ".localhost",
    ".local",
    ".internal",
    ".intranet",
    ".lan",
    ".home",
    ".corp",
    ".home.arpa",
    ".localdomain",
)


def _literal_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a browser would read `host` as, if it is an IP literal in any form
    (browsers accept `2130706433` and `0x7f.1` for 127.0.0.1, as inet_aton does)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefx." for c in host) and host[-1] != ".":
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def public_http_url(url: str) -> str | None:
    """`url` when it may be a clickable link (http/https, public host), else None."""
    if not url or url != url.strip() or any(ord(c) < 0x21 or c == "\x7f" for c in url):
        return None
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 (raises ValueError on a malformed port)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not host:
        return None
    if parts.username is not None or parts.password is not None:
        return None  # "http://bank.vn@evil.example/" reads as one host and goes to another
    ip = _literal_ip(host.strip("[]"))
    if ip is not None:
        return url if ip.is_global else None
    name = host.rstrip(".")
    if "." not in name or name == "localhost" or name.endswith(_PRIVATE_SUFFIXES):
        return None
    return url
