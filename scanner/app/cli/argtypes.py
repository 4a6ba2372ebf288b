"""The types of msgscan's arguments: each turns one command-line word into a value or refuses it
with an ``argparse.ArgumentTypeError`` (argparse prints it and exits 2), so a bad port, endpoint
or time limit never reaches a scan.

Kept free of heavy imports: the parser is built for every command, ``--help`` included.
"""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

MAX_SECONDS = 7 * 86400.0
"""The longest time limit accepted (a week): more is a typo, and the OS cannot wait for inf."""

LANGS = ("en", "de")
"""The values of ``--lang``: ``reports.i18n.Lang`` in its order (a test checks they agree;
importing reports.i18n here would load every translation for ``--help``)."""


def path(value: str) -> Path:
    """A file or folder named on the command line, as a ``Path``: ``pathlib`` (with
    ``urllib.parse`` and ``ipaddress``: 16 M instructions) is imported when one is given, not
    for every ``--help`` and ``checks`` (bench/RESULTS.md, "Start-up", session 23)."""
    from pathlib import Path

    return Path(value)


def recording(value: str) -> str:
    """A recording to replay (``--replay``): the text ``str(path(value))`` would be, from
    ``scanner.files.path_text``, so a replay opens and names the same file without importing
    ``pathlib`` (bench/RESULTS.md, "Start-up", session 24)."""
    from scanner.files import path_text

    return path_text(value)


def port(value: str) -> int:
    """A TCP port for a simulated phone, outside adb's emulator range."""
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise argparse.ArgumentTypeError(f"expected a TCP port number, got {value!r}")
    if 5555 <= int(value) <= 5585:
        raise argparse.ArgumentTypeError(
            "ports 5555-5585 are where adb looks for emulators; pick another (e.g. 7100)"
        )
    return int(value)


def endpoint(value: str) -> tuple[str, int]:
    """``HOST:PORT`` of a phone in ADB-over-TCP mode (IPv6 in brackets)."""
    from scanner.endpoints import InvalidValue, parse_endpoint

    try:
        return parse_endpoint(value)
    except InvalidValue as e:
        raise argparse.ArgumentTypeError(f"{e.problem} ({e.hint})") from None


def number(value: str, *, low: float, high: float, unit: str, zero_ok: bool = False) -> float:
    """A finite number in ``(low, high]`` (``[low, high]`` with ``zero_ok``): nan, inf, 0 and
    negatives are refused by argparse (exit 2) instead of hanging or crashing a scan later."""
    try:
        found = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of {unit}, got {value!r}") from None
    if not math.isfinite(found) or found < low or (found == low and not zero_ok) or found > high:
        least = "0 or more" if zero_ok else "more than 0"
        raise argparse.ArgumentTypeError(
            f"expected a finite number of {unit}, {least} and at most {high:g}, got {value!r}"
        )
    return found


def seconds(value: str) -> float:
    """A time limit: more than 0, at most ``MAX_SECONDS``."""
    return number(value, low=0.0, high=MAX_SECONDS, unit="seconds")


def mib(value: str) -> float:
    """A size in MiB: more than 0, at most 4096."""
    return number(value, low=0.0, high=4096.0, unit="MiB")


def non_negative(value: str) -> float:
    """A fault value (latency, bandwidth): 0 or more."""
    return number(value, low=0.0, high=1e9, unit="units", zero_ok=True)


__all__ = ["LANGS", "MAX_SECONDS", "endpoint", "mib", "non_negative", "number", "port", "seconds"]
