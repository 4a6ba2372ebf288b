"""Signed attestations (``msgscan attest``) as a scan applies them: pure, no I/O.

An attestation file (``reports.attestation_file``) or the agent's state holds *claims*: who
attested which item, for which phone, when and until when, each with whether its signature
verified. ``with_claims`` makes them part of the policy a scan is judged by:

* a claim whose signature verified is an ``Attestation`` like one in the policy file: it applies
  only to its phone (serial or pseudonym) and package, an expired one leaves the item ``manual``
  and the report says it expired (``checks.evaluate``);
* a claim whose signature does not verify (forged, changed, unsigned, signed by a key the scan
  does not trust) is never applied, and the report of its phone says why;
* a verified claim for another phone is not applied, and the report says so too, when it came
  from a file given for this scan (the policy's own attestations for other phones stay silent).

An attested item stays ``manual`` with ``attested`` set, never ``pass``: the phone showed nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from msgspec import Struct
from msgspec.structs import replace

from checks.findings import Attestation, Message, say

PSEUDONYM_PREFIX = "anon-"
"""``checks.result.PSEUDONYM_PREFIX`` (imported there would make a cycle; a test pins both)."""

if TYPE_CHECKING:  # checks.policy imports this module for the Refusal type
    from checks.policy import Policy


class Claim(Struct, frozen=True):
    """One attestation read from a signed file or the agent's state."""

    check_id: str
    attestation: Attestation
    source: str
    """Where it came from, for the report: the file's name or "agent state"."""
    key: str | None = None
    """Fingerprint of the key whose signature verified; None when it did not."""
    problem: Message | None = None
    """Why the signature does not count (``TAMPERED``, ``UNSIGNED``, ``untrusted``); None: it
    verified."""


class Refusal(Struct, frozen=True):
    """A claim a scan does not apply: its signature failed, or it is for another phone."""

    check_id: str
    device: str | None
    package: str | None
    by: str
    on: date
    source: str
    problem: Message | None
    """The signature problem; None for a verified claim (refused only on another phone)."""
    quiet: bool = False
    """A verified claim that says nothing on other phones (the agent's state: the fleet's
    attestations, not a file given for this scan); one naming this phone's serial still does."""

    def why(
        self, check_id: str, device: str | None, package: str | None, serial: str | None = None
    ) -> Message | None:
        """The evidence line for a finding of ``check_id`` on ``device`` (``serial``: the phone's
        own serial, when the scan names it by a pseudonym), or None. Under a pseudonym, a claim
        naming another phone by anything but a pseudonym says nothing: it may be a serial."""
        if check_id != self.check_id or (self.package is not None and self.package != package):
            return None
        head = {"by": self.by, "on": self.on.isoformat(), "source": self.source}
        if self.problem is not None:
            if self.device is None or self.device == device:
                return say(
                    "attest.refused",
                    "the attestation by {by} on {on:date} ({source}) is not applied: {problem}",
                    **head,
                    problem=self.problem,
                )
            return None
        if self.device is not None and self.device != device:
            if serial and self.device == serial:  # never repeat the serial a pseudonym hides
                return say(
                    "attest.by_serial",
                    "the attestation by {by} on {on:date} ({source}) names this phone by its "
                    "serial, but this scan names it by its pseudonym: not applied; attest it for "
                    "{device}",
                    **head,
                    device=device,
                )
            if self.quiet or (
                serial and serial != device and not self.device.startswith(PSEUDONYM_PREFIX)
            ):
                return None  # the fleet's, or another phone's serial where serials are hidden
            return say(
                "attest.other_phone",
                "the attestation by {by} on {on:date} ({source}) is for another phone ({other}), "
                "not this one: not applied",
                **head,
                other=self.device,
            )
        return None


TAMPERED = say("attest.tampered", "the file's signature does not verify: it was changed or forged")
"""Why no claim of an attestation file counts (``reports.attestation_file.read``)."""
UNSIGNED = say("attest.unsigned", "the file is not signed")


def untrusted(key: str) -> Message:
    """Why no claim counts: signed, but by a key the scan does not trust."""
    return say("attest.untrusted", "signed by key {key}, which this scan does not trust", key=key)


def signed_note(claim: Claim) -> Message:
    """The attestation's note with where it came from and which key signed it."""
    origin = {"source": claim.source, "key": claim.key}
    if claim.attestation.note:
        return say(
            "attest.signed",
            "{note} (signed attestation, {source}, key {key})",
            note=claim.attestation.note,
            **origin,
        )
    return say("attest.signed_only", "signed attestation, {source}, key {key}", **origin)


def with_claims(policy: Policy, claims: Iterable[Claim], *, quiet: bool = False) -> Policy:
    """``policy`` with the claims added: verified ones as attestations, all others (and the
    verified ones, to name them on other phones unless ``quiet``) as refusals the report
    explains."""
    attestations = {k: tuple(v) for k, v in policy.attestations.items()}
    refused = list(policy.refused)
    for c in claims:
        a = c.attestation
        refused.append(
            Refusal(c.check_id, a.device, a.package, a.by, a.on, c.source, c.problem, quiet)
        )
        if c.problem is None:
            signed = signed_note(c)
            kept = replace(a, note=signed.english(), signed=signed)
            attestations[c.check_id] = (*attestations.get(c.check_id, ()), kept)
    return replace(policy, attestations=attestations, refused=tuple(refused))


def refusals(
    policy: Policy,
    check_id: str,
    device: str | None,
    package: str | None,
    serial: str | None = None,
) -> list[Message]:
    """Evidence lines for the claims not applied to this finding (``checks.evaluate``)."""
    lines = (r.why(check_id, device, package, serial) for r in policy.refused)
    return list(dict.fromkeys(line for line in lines if line))


__all__ = [
    "TAMPERED",
    "UNSIGNED",
    "Claim",
    "Refusal",
    "refusals",
    "signed_note",
    "untrusted",
    "with_claims",
]
