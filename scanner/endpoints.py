"""A phone's ADB-over-TCP address, ``host:port``: the one parser for ``--tcp``, the agent config's
``[tcp] endpoints`` and the TCP inventory file.

Pure parsing (device side: nothing here imports the composition layer or ``reports``). The rules
are the stricter of the two parsers msgscan had: IPv6 only in brackets (``[fd00::23]:5555``;
``fd00::23:5555`` is ambiguous), IPv4 addresses checked, host names made of DNS labels, a port
from 1 to 65535. Every refusal says which part is wrong and how to write it.
"""

from __future__ import annotations

import ipaddress
import re

from checks.toml_reader import describe

__all__ = ["Endpoint", "InvalidValue", "parse_endpoint"]

Endpoint = tuple[str, int]
"""``(host, port)``; an IPv6 host without its brackets, as ``scanner.transport.tcp`` takes it."""

HINT = "write the phone's address and adb port, e.g. 192.168.1.23:5555 or [fd00::23]:5555"
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")
"""A DNS label; _ is not RFC 1123, but DHCP-registered phone names carry it."""


class InvalidValue(ValueError):
    """A value that does not parse: ``problem`` says what is wrong, ``hint`` how to write it.

    The caller adds where it came from (the flag, or the file and key)."""

    def __init__(self, problem: str, *, hint: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.hint = hint


def parse_endpoint(text: str) -> Endpoint:
    """``host:port``, ``1.2.3.4:5555`` or ``[fe80::1]:5555``; raises InvalidValue."""
    text = text.strip()
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        sep, port_text = (":", rest[1:]) if rest.startswith(":") else ("", "")
        if not bracket:
            raise InvalidValue(f"{describe(text)} has no closing ]", hint=HINT)
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise InvalidValue(f"{describe(host)} is not an IPv6 address", hint=HINT) from None
    else:
        host, sep, port_text = text.rpartition(":")
        if ":" in host:
            raise InvalidValue(
                f"{describe(text)}: an IPv6 address needs brackets",
                hint=f"write [{host}]:{port_text}",
            )
        if re.fullmatch(r"[\d.]+", host):
            try:
                ipaddress.IPv4Address(host)
            except ValueError:
                raise InvalidValue(f"{describe(host)} is not an IPv4 address", hint=HINT) from None
        elif host and not all(_HOST_LABEL.fullmatch(p) for p in host.removesuffix(".").split(".")):
            raise InvalidValue(f"{describe(host)} is not a host name", hint=HINT)
    if not sep or not host:
        raise InvalidValue(
            f"{describe(text)} is not host:port",
            hint=f"{HINT}; adb over Wi-Fi listens on port 5555 unless set otherwise",
        )
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise InvalidValue(f"port {describe(port_text)} is not 1 to 65535", hint=HINT)
    return host, int(port_text)
