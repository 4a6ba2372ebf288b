"""Which checklist items a person attests, and where in the policy file.

Light on purpose (no imports): the command line's parser reads these for ``msgscan attest``'s
argument and ``--help``, so every command pays for this module at start-up; ``checks.policy``
(the policy model and its classes) re-exports them.
"""

from __future__ import annotations

ORGANISATION_ATTESTABLE = ("ORG-01", "ORG-02", "ORG-03")
"""Organisational items: true or false for the whole organisation, so one ``[attest.ORG-01]``
covers every phone."""
DEVICE_ATTESTABLE = ("MSG-03", "MSG-06", "MSG-07")
"""Items a person checks on the phone itself (MSG-03: WhatsApp's Google Drive backup setting;
MSG-06: only consenting customers in the phonebook; MSG-07: business chats are secret chats):
attested per device in ``[[attest.MSG-07]]`` entries, with who, when and until when. Only the
item's ``manual`` parts take an attestation: a failure the phone shows stays a failure."""
ATTESTABLE = ORGANISATION_ATTESTABLE + DEVICE_ATTESTABLE
ATTEST_TABLE = "attest"
"""The policy file's table of attestations: the one name every text points to."""


def attest_key(check_id: str) -> str:
    """Where an item is attested in the policy file.

    ``[attest.ORG-01]`` or ``[[attest.MSG-07]]``."""
    if check_id in DEVICE_ATTESTABLE:
        return f"[[{ATTEST_TABLE}.{check_id}]]"
    return f"[{ATTEST_TABLE}.{check_id}]"


__all__ = [
    "ATTESTABLE",
    "ATTEST_TABLE",
    "DEVICE_ATTESTABLE",
    "ORGANISATION_ATTESTABLE",
    "attest_key",
]
