"""Validate the names a phone supplies before any of them reaches a command line.

A probe's argv is built from constants and catalog paths, but two things in it come from the
phone: the user ids (from ``pm list users`` and the ``User N:`` lines of ``dumpsys package``)
and, through the catalog's ``{pkg}`` paths, the package name. ``shlex`` quoting would already
keep ``x;reboot`` or ``$(id)`` from running, but a value the phone could not have produced
legitimately must not be used at all: it is reported and left out, never interpolated.

What is legitimate (AOSP):

* a package name is dot-separated segments of ``[A-Za-z][A-Za-z0-9_]*``
  (``PackageParser.validateName`` / ``FrameworkParsingPackageUtils.validateName``), at most
  255 characters (``PackageManagerService`` rejects longer names);
* a user id is 0..21474: a uid is ``userId * 100000 + appId`` and must fit in a signed 32-bit
  int (``UserHandle.PER_USER_RANGE``);
* a storage path is absolute, made of the characters the catalog uses (letters, digits, space,
  ``. _ - /``), with no ``..`` segment.
"""

from __future__ import annotations

import re

__all__ = [
    "MAX_PACKAGE_NAME",
    "MAX_USER_ID",
    "is_package_name",
    "is_storage_path",
    "is_user_id",
    "shown",
]

MAX_PACKAGE_NAME = 255
MAX_USER_ID = 21474

_PACKAGE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*")
_PATH = re.compile(r"/[A-Za-z0-9 ._/-]*")


def is_package_name(name: object) -> bool:
    return (
        isinstance(name, str)
        and 0 < len(name) <= MAX_PACKAGE_NAME
        and _PACKAGE.fullmatch(name) is not None
    )


def is_user_id(user_id: object) -> bool:
    return (
        isinstance(user_id, int) and not isinstance(user_id, bool) and 0 <= user_id <= MAX_USER_ID
    )


def is_storage_path(path: object) -> bool:
    return (
        isinstance(path, str)
        and _PATH.fullmatch(path) is not None
        and ".." not in path.split("/")
        and len(path) <= 1024
    )


def shown(value: object, limit: int = 40) -> str:
    """A rejected value as it may appear in a report: quoted, escaped and cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
