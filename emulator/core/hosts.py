"""DNS-rebinding protection: which `Host` a request that reached a loopback address may name.

A web page can make a browser send requests to 127.0.0.1 under a name the attacker controls (DNS rebinding), and
then read the answers as same-origin. So a request arriving on a loopback address must name a loopback host
(`localhost`, `*.localhost`, 127.0.0.0/8, `::1`), the bound address, or one of `allowed_hosts`. Requests arriving
on other addresses (bound to 0.0.0.0 and called from elsewhere) and in-process test clients (no socket) are not
checked; a request without a `Host` header (HTTP/1.0) is not either: browsers always send one.
"""

from __future__ import annotations

import ipaddress

from starlette.types import Scope

from emulator.core.memo import Memo

MAX_VERDICTS = 1024


def is_loopback(host: str) -> bool:
    """A loopback name (RFC 6761 `localhost` and its subdomains) or address (IPv4-mapped included)."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


def host_name(value: str) -> str:
    """The host of a `Host` header, without port, brackets or trailing dot, lowercased. The Alibaba SDK sends
    `http://127.0.0.1:8000` when its endpoint has a scheme, so a scheme (and anything after the authority) is
    dropped too."""
    text = value.strip()
    if "://" in text:
        text = text.split("://", 1)[1].split("/", 1)[0]
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else text[1:]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    return text.rstrip(".").lower()


class HostPolicy:
    """`allowed_hosts` (comma-separated names, `*.example.com` suffixes, `*` for any) plus the bind address."""

    def __init__(self, allowed_hosts: str, bind_host: str) -> None:
        entries = {e.strip().lower() for e in allowed_hosts.split(",")} - {""}
        entries = {e if e.startswith("*") else host_name(e) for e in entries}
        self.any = "*" in entries
        self.suffixes = tuple(e[1:] for e in entries if e.startswith("*."))
        self.names = {e for e in entries if not e.startswith("*")} | {host_name(bind_host)}
        self._verdicts: Memo[tuple[str, bytes | None], str | None] = Memo(MAX_VERDICTS)

    def refused_host(self, scope: Scope) -> str | None:
        """The `Host` a request must be refused for, or None when it may be answered."""
        server = scope.get("server")
        if self.any or not server:
            return None
        raw: bytes | None = next((v for k, v in scope["headers"] if k == b"host"), None)
        key = (str(server[0]), raw)
        # A connection's address and its clients' Host values repeat on every request: remember the verdicts
        # (parsing addresses is a measurable share of a small request). Bounded, as Host values are the caller's.
        return self._verdicts.get_or(key, lambda: self._verdict(*key))

    def _verdict(self, address: str, raw: bytes | None) -> str | None:
        if raw is None or not _is_ip_loopback(address):
            return None
        text = raw.decode("latin-1")
        host = host_name(text)
        if is_loopback(host) or host in self.names or (self.suffixes and host.endswith(self.suffixes)):
            return None
        return text


def _is_ip_loopback(address: str) -> bool:
    """Whether the connection arrived on a loopback address (in-process clients name no address: not checked)."""
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return is_loopback(address)
