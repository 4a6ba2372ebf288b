"""What the rules say about a phone: statuses, severities, evidence, outcomes and findings.

A rule yields ``Outcome``s (status, what it is about, evidence); ``checks.evaluate`` adds the
rule's metadata and the policy's decisions (severity overrides, waivers, attestations) to turn
each into a ``Finding``. Pure data.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from datetime import date

from msgspec import Struct, field

from checks.enums import FastEnum


class Status(FastEnum):
    PASS = "pass"
    FAIL = "fail"
    INFORMATIONAL = "informational"
    NOT_APPLICABLE = "not_applicable"
    """The thing the rule is about is not there (e.g. no messenger of that kind)."""
    MANUAL = "manual"
    """A person must attest it: nothing on the device can show it."""
    UNKNOWN = "unknown"
    """The device did not let us see it (needs root, folder unreadable). Never a pass."""
    ERROR = "error"
    """Collection failed (the phone was lost, a command failed) or the rule itself broke."""


STATUS_MEANING = {
    Status.PASS: "the device shows the item is in order",
    Status.FAIL: "the device shows the item is not in order; counts toward the verdict and the "
    "exit code unless the policy waives it",
    Status.INFORMATIONAL: "worth knowing, never counted as a failure (XCCDF's informational)",
    Status.NOT_APPLICABLE: "the thing the item is about is not there",
    Status.MANUAL: "a person must attest it: nothing on the device can show it; an attested "
    "item stays manual and names who attested it, when and until when",
    Status.UNKNOWN: "the device did not let msgscan see it; never a pass",
    Status.ERROR: "collection failed or the rule broke",
}
"""What each status means (the checklist's wording): ``msgscan checks --json`` lists it."""


class Severity(FastEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def weight(self) -> float:
        """Score weight: what a pass earns (OpenSCAP-style weighted scoring)."""
        return _WEIGHTS[self]

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


_WEIGHTS = {
    Severity.INFO: 0.0,
    Severity.LOW: 1.0,
    Severity.MEDIUM: 3.0,
    Severity.HIGH: 6.0,
    Severity.CRITICAL: 10.0,
}


class Article(Struct, frozen=True):
    """Where a rule rests in the source article (../shared/article), or that it goes beyond it."""

    section: str
    """Section heading of the article, or "beyond the article"."""
    ref: str
    """Which statement: a short German cue from the article, paraphrased, not its prose."""

    @property
    def beyond(self) -> bool:
        return self.section == BEYOND


BEYOND = "beyond the article"


class Message(Struct, frozen=True, dict=True):
    """What a rule saw, as a message id and its values; each language renders it.

    ``template`` is the English (``{name}`` placeholders, ``{n:size}`` bytes, ``{d:date}`` an ISO
    date or None, ``{r:reason}`` a reason the phone gave); it is the gettext msgid and ``id``
    its msgctxt, so ``pybabel extract`` finds both in the calls of ``say`` / ``say_n``
    (reports/i18n/babel.cfg). ``plural`` is the English for ``n`` other than 1. A value may be a
    ``Message`` itself (a user's label, a kind of build) or a list of values, joined by ", ".
    Pure: no gettext here; the German lives in reports/i18n/locale."""

    id: str
    template: str
    params: Mapping[str, object] = field(default_factory=dict)
    plural: str | None = None

    def __hash__(self) -> int:
        return hash((self.id, self.english()))

    def english(self) -> str:
        """The English, filled when first asked and kept in the instance ``__dict__`` (no
        comparison, hash, pickle or encoding sees it): a message's values are not changed
        after it is made, and the judging asks most messages two or three times (hashed,
        as evidence text, inside another message)."""
        text: str | None = self.__dict__.get(_ENGLISH)
        if text is None:
            template = self.template
            if self.plural is not None and self.params.get("n") != 1:
                template = self.plural
            text = self.__dict__[_ENGLISH] = fill(template, self.params, _english_value)
        return text

    def plain(self) -> dict[str, object]:
        """The id and values as JSON: nested messages as {"id", "params"}, lists as lists."""
        return {"id": self.id, "params": {k: _plain(v) for k, v in self.params.items()}}

    def plain_sorted(self, leaf: Callable[[object], object]) -> dict[str, object]:
        """``leaf(self.plain())`` for a ``leaf`` that, like ``reports.report._plain``, writes a
        dict with its keys as text sorted by it, a list or tuple as a list of its items, and
        every other value on its own: one walk instead of two (session 28,
        ``tests/reports/test_message_json_s28.py``)."""
        params = self.params
        return {
            "id": leaf(self.id),
            "params": {str(k): _sorted(params[k], leaf) for k in sorted(params, key=str)},
        }


_ENGLISH = "english:"
"""``Message.english``'s key in the instance ``__dict__``: no attribute's name (an attribute
of that name would hide the method)."""


def say(id: str, template: str, /, **params: object) -> Message:
    """A message: ``say("msg03.none", "{name} keeps no local chat archive", name=...)``."""
    return Message(id, template, params)


def say_n(id: str, one: str, many: str, n: int, /, **params: object) -> Message:
    """A message whose wording depends on the count ``n`` ("1 file", "3 files")."""
    return Message(id, one, {"n": n, **params}, many)


class _Fill(string.Formatter):
    def __init__(self, value: Callable[[object, str], str]) -> None:
        self.value = value

    def format_field(self, value: object, format_spec: str) -> str:
        return self.value(value, format_spec)


def fill(template: str, params: Mapping[str, object], value: Callable[[object, str], str]) -> str:
    """``template`` with each placeholder replaced by ``value(param, spec)``.

    What ``string.Formatter.vformat`` gives, from the template's parts parsed once: a template
    whose every field is a plain name with a literal spec and no conversion is filled from its
    cached parts (the judging fills ~1,600 messages a 300-package phone); any other (``{a.b}``,
    ``{0}``, ``{x!r}``, a nested ``{x:{y}}``) goes through ``string.Formatter`` as before."""
    parts = _PARTS.get(template, _UNPARSED)
    if parts is _UNPARSED:
        parts = _parse(template)
    if parts is None:
        return _Fill(value).vformat(template, (), params)
    out: list[str] = []
    for literal, name, spec in parts:
        if literal:
            out.append(literal)
        if name is not None:
            out.append(value(params[name], spec))
    return "".join(out)


Parts = tuple[tuple[str, str | None, str], ...]
"""A template's literal texts, each followed by a field's name (or None) and its spec."""
_PARTS: dict[str, Parts | None] = {}
"""Each template's parts, or None: not a plain one (the Formatter fills it)."""
_PARTS_MAX = 4096
_UNPARSED: Parts = ()


def _parse(template: str) -> Parts | None:
    parts: list[tuple[str, str | None, str]] | None = []
    try:
        for literal, name, spec, conversion in string.Formatter().parse(template):
            if name is not None and (
                conversion is not None or not name.isidentifier() or "{" in (spec or "")
            ):
                parts = None
                break
            assert parts is not None
            parts.append((literal, name, spec or ""))
    except ValueError:  # a stray brace: the Formatter raises what it raises, where it does
        parts = None
    done = None if parts is None else tuple(parts)
    if len(_PARTS) < _PARTS_MAX:  # templates are the rules' constants: a few hundred
        _PARTS[template] = done
    return done


def size_text(n: int) -> str:
    """Bytes as people read them (binary units, one decimal): "150.2 MiB"."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _english_value(value: object, spec: str) -> str:
    if isinstance(value, Message):
        return value.english()
    if isinstance(value, list | tuple):
        if spec == "semi":
            return "; ".join(_english_value(v, "") for v in value)
        return ", ".join(_english_value(v, spec) for v in value)
    if spec == "size" and isinstance(value, int):
        return size_text(value)
    if spec == "date":
        return "unknown" if value is None else str(value)
    return str(value)


def _plain(value: object) -> object:
    if isinstance(value, Message):
        return value.plain()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _sorted(value: object, leaf: Callable[[object], object]) -> object:
    if isinstance(value, Message):
        return value.plain_sorted(leaf)
    if isinstance(value, list | tuple):
        return [_sorted(v, leaf) for v in value]
    return leaf(value)


class Evidence(Struct, frozen=True):
    """One thing that was seen, in words, with the command it came from."""

    text: str
    """e.g. "READ_CONTACTS granted for user 0"; the English of ``message`` when there is one."""
    source: str
    """The probe command, e.g. "dumpsys package packages", or "policy" / "catalog"."""
    data: Mapping[str, object] = field(default_factory=dict)
    """Machine-readable figures behind the text (counts, dates as ISO strings, sizes)."""
    message: Message | None = None
    """The message id and values the text was made from (each language renders it)."""

    @classmethod
    def of(
        cls, message: Message, source: str, data: Mapping[str, object] | None = None
    ) -> Evidence:
        return cls(message.english(), source, data or {}, message)


class Outcome(Struct, frozen=True):
    """One result of one rule, about one messenger install, one user or the whole device."""

    status: Status
    evidence: tuple[Evidence, ...]
    package: str | None = None
    """The messenger package this is about, or None for the device / organisation."""
    user_id: int | None = None
    """The Android user / profile this is about, or None."""
    severity: Severity | None = None
    """Overrides the rule's severity for this outcome (e.g. MSG-06 fails Wire harder)."""


WORST_FIRST = (
    Status.FAIL,
    Status.ERROR,
    Status.UNKNOWN,
    Status.MANUAL,
    Status.INFORMATIONAL,
    Status.PASS,
    Status.NOT_APPLICABLE,
)
"""Statuses from worst to best: which one an item with several parts gets, and report order.
``informational`` (XCCDF's: worth knowing, never a failure) ranks just above pass."""


class Attestation(Struct, frozen=True):
    """A person's statement that an item the device cannot show is in order.

    Organisational items (ORG-*) are attested once for every phone (``device`` None); items a
    person checks on the phone (MSG-03's cloud backup, MSG-06, MSG-07) for one device (serial or
    pseudonym), optionally one package, until a date."""

    by: str
    on: date
    note: str = ""
    until: date | None = None
    """Last day the attestation holds; None: until the policy is changed."""
    device: str | None = None
    """The phone it was made for (serial or pseudonym); None for organisational items."""
    package: str | None = None
    """Only this messenger package, or None for every install on the device."""
    signed: Message | None = None
    """For a signed attestation (``checks.attested``): ``note`` as a message, with the file and
    key it came from; ``note`` is its English."""

    def covers(self, device: str | None, package: str | None) -> bool:
        """Made for this device (or for every phone) and this package (or every package)."""
        return (self.device is None or self.device == device) and (
            self.package is None or self.package == package
        )

    def expired(self, today: date) -> bool:
        return self.until is not None and today > self.until


class Waiver(Struct, frozen=True):
    """An accepted failure, for one device (serial or pseudonym; "*" for all), until a date."""

    check_id: str
    device: str
    until: date
    reason: str
    package: str | None = None


class Finding(Struct, frozen=True):
    check_id: str
    status: Status
    severity: Severity
    title: str
    evidence: tuple[Evidence, ...]
    remediation: tuple[str, ...]
    article: Article
    package: str | None = None
    messenger: str | None = None
    """Catalog name of the messenger (e.g. "WhatsApp Business")."""
    user_id: int | None = None
    waived: Waiver | None = None
    """Set when the policy waived this failure (the status stays fail; the verdict ignores it)."""
    attested: Attestation | None = None

    @property
    def counts_as_failure(self) -> bool:
        """A failure that decides the verdict: status fail, not waived. (A result that never
        counts, such as a failure at severity info, has status ``informational``.)"""
        return self.status is Status.FAIL and self.waived is None
