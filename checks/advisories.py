"""Security advisories behind MSG-09: each one a fixed version, an affected range and a source.

Sources: docs/sources.md ("Messengers"); messengers.md §2.5 (WhatsApp, corrected 2026-12-02),
§4.5 (Telegram), §5.5 (Signal). Every entry names the record it comes from: a CVE record
(cve.org, mirrored in CVEProject/cvelistV5) or, where no CVE id exists, the advisory of the
vendor or of the researchers who found and disclosed it. An entry nobody can trace does not
belong here (CVE-2026-23871 was withdrawn for that reason, see messengers.md §2.5).

Versions compare component-wise as integers (``version_key``).
"""

from __future__ import annotations

from msgspec import Struct

from checks.enums import FastEnum
from checks.findings import Message, say


def version_key(version: str) -> tuple[int, ...] | None:
    """Compare versions component-wise as integers (messengers.md); None if not a version.

    Suffixes after the numeric part ("6.1.2k" for Threema Work, "4.59.11-2") are ignored.
    """
    parts: list[int] = []
    for piece in version.strip().split("."):
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
        if len(digits) != len(piece):
            break
    return tuple(parts) if parts else None


class SourceKind(FastEnum):
    CVE = "cve"  # a published CVE record
    VENDOR = "vendor"  # the app vendor's own security advisory
    RESEARCHER = "researcher"  # the finders' disclosure, where neither of the above exists


class Advisory(Struct, frozen=True):
    """A security fix: a version inside ``affected_from`` .. below ``fixed_in`` is exposed."""

    id: str
    """CVE id, or the researchers' name for the flaw where no CVE id exists."""
    fixed_in: str
    """The first version with the fix (the floor)."""
    issue: Message
    """What the flaw is, in a few words (ids ``advisory.<id>``; German in the catalog)."""
    source: str
    """URL of the CVE record or advisory this entry traces to."""
    source_kind: SourceKind = SourceKind.CVE
    affected_from: str | None = None
    """The first affected version, where the record names one; None = every earlier version."""
    name: Message | None = None
    """How a report names a flaw that has no CVE id, in each language; None: its ``id``."""

    def affects(self, version: tuple[int, ...]) -> bool:
        floor = version_key(self.fixed_in) or ()
        start = version_key(self.affected_from) if self.affected_from else None
        return version < floor and (start is None or version >= start)

    @property
    def range(self) -> str:
        """ "2.25.8.0 up to (not including) 2.26.7.11", "below 7.1.0"."""
        if self.affected_from:
            return f"{self.affected_from} up to (not including) {self.fixed_in}"
        return f"below {self.fixed_in}"


def _cve(cve: str) -> str:
    return f"https://www.cve.org/CVERecord?id={cve}"


# messengers.md §2.5: (CVE, WhatsApp fixed in, WhatsApp Business fixed in or None); the issue
# of each as a message (id ``advisory.<cve>``).
_WA_TABLE = (
    ("CVE-2019-3568", "2.19.134", "2.19.44"),
    ("CVE-2019-11932", "2.19.244", None),
    ("CVE-2019-11931", "2.19.274", "2.19.104"),
    ("CVE-2020-1891", "2.20.17", "2.20.7"),
    ("CVE-2020-1907", "2.20.196.16", "2.20.196.12"),
    ("CVE-2021-24041", "2.21.22.7", "2.21.22.7"),
    ("CVE-2021-24042", "2.21.23", "2.21.23"),
    ("CVE-2022-27492", "2.22.16.2", "2.22.16.2"),
    ("CVE-2022-36934", "2.22.16.12", "2.22.16.12"),
)
_WA_ISSUES = {
    m.id: m
    for m in (
        say("advisory.cve-2019-3568", "VoIP SRTCP buffer overflow (exploited by NSO)"),
        say("advisory.cve-2019-11932", "GIF double free"),
        say("advisory.cve-2019-11931", "MP4 metadata stack overflow"),
        say("advisory.cve-2020-1891", "video-call out-of-bounds write"),
        say("advisory.cve-2020-1907", "RTP extension header stack overflow"),
        say("advisory.cve-2021-24041", "image-blur out-of-bounds write"),
        say("advisory.cve-2021-24042", "1:1 call out-of-bounds write"),
        say("advisory.cve-2022-27492", "integer underflow, crafted video"),
        say("advisory.cve-2022-36934", "integer overflow, RCE in a video call"),
    )
}


def _wa(cve: str, fixed_in: str) -> Advisory:
    return Advisory(cve, fixed_in, _WA_ISSUES[f"advisory.{cve.lower()}"], _cve(cve))


# CVE-2026-23866 (published 2026-05-01, assigner Meta, CWE-940): affected "2.25.8.0 through
# 2.26.7.10" of WhatsApp for Android. The record names no WhatsApp Business range, so Business
# gets no entry rather than an invented one.
_WA_23866 = Advisory(
    "CVE-2026-23866",
    "2.26.7.11",
    say(
        "advisory.cve-2026-23866",
        "AI rich-response messages not validated: media fetched from an arbitrary URL, URL-scheme "
        "handlers triggered",
    ),
    _cve("CVE-2026-23866"),
    affected_from="2.25.8.0",
)

WHATSAPP: tuple[Advisory, ...] = (
    *(_wa(cve, wa) for cve, wa, _ in _WA_TABLE),
    _WA_23866,
)
WHATSAPP_BUSINESS: tuple[Advisory, ...] = tuple(_wa(cve, b) for cve, _, b in _WA_TABLE if b)

# messengers.md §4.5. The rlottie CVEs (CVE-2021-31315 .. -31322) share one fix, 7.1.0 (2090).
TELEGRAM: tuple[Advisory, ...] = (
    Advisory(
        "CVE-2021-31315",
        "7.1.0",
        say("advisory.cve-2021-31315", "rlottie stack overflow via animated stickers"),
        _cve("CVE-2021-31315"),
    ),
    Advisory(
        "CVE-2021-31320",
        "7.1.0",
        say("advisory.cve-2021-31320", "rlottie heap overflow via animated stickers"),
        _cve("CVE-2021-31320"),
    ),
    # No CVE id and no Telegram advisory exist; ESET, who found it, published the disclosure.
    Advisory(
        "EvilVideo (ESET, 2024; no CVE id)",
        "10.14.5",
        say("advisory.evilvideo", "APK disguised as a video"),
        "https://www.welivesecurity.com/en/eset-research/"
        "cursed-tapes-exploiting-evilvideo-vulnerability-telegram-android/",
        SourceKind.RESEARCHER,
        name=say("advisory.evilvideo.name", "EvilVideo (ESET, 2024; no CVE id)"),
    ),
)

# messengers.md §5.5.
SIGNAL: tuple[Advisory, ...] = (
    Advisory(
        "CVE-2019-17191",
        "4.47.7",
        say("advisory.cve-2019-17191", "call answered without user action"),
        _cve("CVE-2019-17191"),
    ),
)

BY_MESSENGER: dict[str, tuple[Advisory, ...]] = {
    "whatsapp": WHATSAPP,
    "whatsapp_business": WHATSAPP_BUSINESS,
    "telegram": TELEGRAM,
    "signal": SIGNAL,
}
"""Catalog messenger key -> its advisories (the catalog reads them from here)."""
