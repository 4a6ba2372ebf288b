"""Who a phone seems to be, so that a phone swapped behind the same id is not taken for the one
before it.

The agent keys a phone's history by its id (its USB serial, the adb server's name for it, or
over TCP its own ``ro.serialno``, else its address). Cheap phones and clones share a serial, an
address is handed to the next phone by DHCP, and a phone is replaced behind the same desk: then
a clean scan of the new phone would resolve the old phone's failures, which nobody fixed.

The **trait** is what the phone's ``getprop`` already tells every scan: ``ro.product.
manufacturer``, ``ro.product.brand``, ``ro.product.model`` and ``ro.product.device`` (the
hardware's code name). They are the same on every unit of a model, so they identify no person
and no phone (the guide's privacy rule: no serial, IMEI, number or ``android_id``, not even
hashed), and they do not change with system updates, unlike ``ro.build.fingerprint`` (boot ids
change every boot). Another unit of the same model is told apart by the id itself: the USB
serial is the phone's ``ro.serialno`` (init writes it into the USB gadget) and over TCP the id
is the ``ro.serialno`` from getprop (``scanner.collect``), both from the bootloader, unchanged by
a factory reset or an update; a hash of it kept here would repeat the id. (init copies
``androidboot.serialno`` to ``ro.boot.serialno`` and ``ro.serialno``; apps lost ``Build.SERIAL``
in Android 8 and 10, the shell did not: the Android 16 capture's ``adb shell getprop`` has
both.) Units sharing a placeholder serial (``0123456789ABCDEF``) are known by their address and
one swapped for another of the same model is not noticed; the README says so.
"""

from __future__ import annotations

from checks.facts import DeviceIdentity

_FIELDS = ("manufacturer", "brand", "model", "device")
_SEP = "\x1f"


def trait_of(identity: object) -> str | None:
    """The phone's trait as the state keeps it, or None when getprop named none of its parts."""
    if not isinstance(identity, DeviceIdentity):
        return None
    parts = [(getattr(identity, name) or "").replace(_SEP, " ") for name in _FIELDS]
    return _SEP.join(parts) if any(parts) else None


ADOPTING = "\x1e"
"""Before a device row's trait: the operator adopted the phone behind the id (``msgscan agent
--adopt``, ``history.adopt``): its next scan that names it the same phone (no part differs)
gives the id its trait, though it name less, and resolves nothing; the scans after it are held
to that trait."""


UNNAMED = _SEP.join(("", "", "", ""))
"""The trait kept for an id whose scans answered but named no part of the phone (the lead,
session 26): unlike no trait at all, it says that a phone answered unnamed, so a later scan
naming the phone cannot show it was that one (``recorder``)."""


def adopting(trait: str | None) -> bool:
    return trait is not None and trait.startswith(ADOPTING)


def _parts(trait: str) -> tuple[str, ...]:
    trait = trait.removeprefix(ADOPTING)
    parts = tuple(trait.split(_SEP))
    return parts if len(parts) == len(_FIELDS) else ("", "", trait, "")  # an old row's model


def legacy(model: str | None) -> str | None:
    """The trait of a device row written before traits were kept: its model alone."""
    return None if not model else _SEP.join(("", "", model, ""))


def differs(before: str | None, now: str | None) -> bool:
    """True when the two traits name different phones: some part both name differs. A part one
    side lacks (a garbled or missing property) is no difference; neither is an unknown trait."""
    if before is None or now is None:
        return False
    return any(a and b and a != b for a, b in zip(_parts(before), _parts(now), strict=True))


def names_all(before: str | None, now: str | None) -> bool:
    """True when ``now`` names every part of the trait ``before`` names (None: no part). A part
    one side lacks is no difference (``differs``), but no sameness either: a scan naming less
    cannot show it is the phone before (review10, ``tests/review10/test_partial_trait.py``)."""
    if before is None:
        return True
    if now is None:
        return False
    named = _parts(now)
    return all(named[i] or not part for i, part in enumerate(_parts(before)))


def describe(trait: str | None) -> str:
    """The trait in words, e.g. "samsung SM-S936B (pa2q)"."""
    if trait is None:
        return "an unknown phone"
    manufacturer, brand, model, device = _parts(trait)
    words = " ".join(dict.fromkeys(w for w in (manufacturer or brand, model) if w))
    if not device:
        return words or "an unknown phone"
    return f"{words or 'a phone'} ({device})"


__all__ = [
    "ADOPTING",
    "UNNAMED",
    "adopting",
    "describe",
    "differs",
    "legacy",
    "names_all",
    "trait_of",
]
