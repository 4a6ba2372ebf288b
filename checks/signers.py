"""Published signing-certificate digests of official messenger builds, with sources (MSG-08).

SHA-256 of the certificate (DER), as ``apksigner verify --print-certs`` prints it, stored as
lower-case hex without colons. Only digests a source publishes are here. Where none was found
(WhatsApp Business, Threema and its flavours, Wire, Telegram beta and Telegram X) there is no
entry: MSG-08 then reports ``manual`` with the digest it read, and an organisation can pin the
digest of a known-good install in its policy (``[signers]``). Nothing is trusted on first use.

Sources (messengers.md §12):
* AV: soupslurpr/AppVerifier, ``InternalVerificationInfoDatabase.kt`` (@ccd58cc as cited by
  messengers.md; Molly's entry read at @00d33dc).
* WA-ID: "Independent identity review: Signal and WhatsApp existing APKs" (apksigner output on
  WhatsApp 2.26.39.71 and Signal 8.29.3: the rotated key for API 33+, the original for 24-32).
"""

from __future__ import annotations

from collections.abc import Mapping

from msgspec import Struct

from checks.findings import Message, say


class Reference(Struct, frozen=True):
    sha256: str
    """Lower-case hex, no colons."""
    label: Message
    """Which key of which build (each language renders it; the JSON data keeps its English)."""
    source: Message


def _hex(colons: str) -> str:
    return colons.replace(":", "").lower()


_AV = say("signers.av", "AppVerifier internal database (soupslurpr/AppVerifier), via messengers.md")
_WA_ID = say(
    "signers.wa_review",
    "apksigner review of WhatsApp 2.26.39.71 (secondary, via messengers.md §2.1)",
)
_SIG_ID = say(
    "signers.signal_review", "apksigner review of Signal 8.29.3 (secondary, via messengers.md §5.1)"
)
_PINNED = say("signers.pinned", "pinned by the organisation's policy")
_POLICY = say("signers.policy", "policy [signers]")

_TELEGRAM = Reference(
    _hex(
        "49:C1:52:25:48:EB:AC:D4:6C:E3:22:B6:FD:47:F6:09:2B:B7:45:D0:F8:80:82:14:5C:AF:35:E1:4D:CC:38:E1"
    ),
    say("signers.telegram", "Telegram (Google Play and telegram.org APK)"),
    _AV,
)

REFERENCES: Mapping[str, tuple[Reference, ...]] = {
    "com.whatsapp": (
        Reference(
            _hex(
                "39:87:D0:43:D1:0A:EF:AF:5A:87:10:B3:67:14:18:FE:57:E0:E1:9B:65:3C:9D:F8:25:58:FE:B5:FF:CE:5D:44"
            ),
            say("signers.whatsapp", "WhatsApp original key (Play and whatsapp.com)"),
            _AV,
        ),
        Reference(
            _hex(
                "FB:92:0D:38:1B:EE:1B:20:93:F2:7D:C8:F1:3D:99:4D:A6:29:DC:91:88:7D:05:29:B3:5C:9A:2D:C4:F4:A6:C2"
            ),
            say(
                "signers.whatsapp_rotated",
                "WhatsApp rotated key (APK Signature Scheme v3, API 33+)",
            ),
            _WA_ID,
        ),
    ),
    "org.telegram.messenger": (_TELEGRAM,),
    "org.telegram.messenger.web": (_TELEGRAM,),
    "org.thoughtcrime.securesms": (
        Reference(
            _hex(
                "29:F3:4E:5F:27:F2:11:B4:24:BC:5B:F9:D6:71:62:C0:EA:FB:A2:DA:35:AF:35:C1:64:16:FC:44:62:76:BA:26"
            ),
            say("signers.signal", "Signal original key (Play and signal.org)"),
            _AV,
        ),
        Reference(
            _hex(
                "4B:E4:F6:CD:5B:E8:44:08:3E:90:02:79:DC:82:2A:F6:5A:54:7F:EC:C2:6A:BA:7F:F1:F5:20:3A:45:51:8C:D8"
            ),
            say("signers.signal_rotated", "Signal rotated key (APK Signature Scheme v3, API 33+)"),
            _SIG_ID,
        ),
    ),
    "im.molly.app": (
        Reference(
            _hex(
                "6A:A8:0F:DF:4A:8C:C1:37:37:CF:B4:34:FC:0C:DE:48:6F:09:CF:8F:CD:A2:1A:67:BE:A5:EE:1C:A2:70:08:86"
            ),
            say("signers.molly", "Molly (GitHub and F-Droid builds)"),
            say(
                "signers.av_molly",
                "AppVerifier internal database (soupslurpr/AppVerifier @00d33dc)",
            ),
        ),
    ),
}


def colons(digest: str) -> str:
    """``39:87:D0:…``: the form apksigner and vendors' pages show."""
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2)).upper()


def references(package: str, pins: Mapping[str, frozenset[str]]) -> tuple[Reference, ...]:
    """What the signer of ``package`` is compared with: the policy's pins for it when it has
    any (they replace the catalog's), else the catalog's references."""
    if package in pins:
        return tuple(Reference(d, _PINNED, _POLICY) for d in sorted(pins[package]))
    return REFERENCES.get(package, ())
