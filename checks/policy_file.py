"""Read an organisation's policy file (TOML) into a ``Policy``; see ``policy.example.toml``.

Pure: the CLI reads the bytes, this module judges them. Every mistake is a ``PolicyError`` that
names the file, the key path (``rules.MSG-12.severity``, ``waive[0].until``; lists count from 0)
and what was found against what is valid. Unknown tables and keys are errors, not ignored: a
misspelt key would otherwise leave the article's default in force without anyone noticing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping
from datetime import date
from pathlib import PurePath
from typing import NoReturn

from checks.catalog import MESSENGERS
from checks.errors import PolicyError
from checks.findings import Attestation, Severity, Waiver
from checks.installers import SIDELOAD_INSTALLERS
from checks.policy import (
    ATTEST_TABLE,
    ATTESTABLE,
    DEVICE_ATTESTABLE,
    ORGANISATION_ATTESTABLE,
    DeviceRole,
    Override,
    Policy,
    attest_key,
)
from checks.policy_signers import signer_pins
from checks.result import MIN_KEY_LENGTH  # the one pseudonym-key rule (a short key is guessable)
from checks.toml_reader import (
    REQUIRED,
    TomlReader,
    describe,
    did_you_mean,
)

MIN_ANDROID = range(6, 21)
"""Android 6 (runtime permissions) to 20: room for releases after 16, while 140 for 14 is caught."""
MAX_PATCH_AGE_DAYS = range(1, 3651)

MESSENGER_KEYS = tuple(m.key for m in MESSENGERS)
_PACKAGE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)+")
"""An Android package name: two or more dot-separated segments, each starting with a letter
(AOSP ``PackageParser.validateName``)."""
_WAIVE_INDEX = re.compile(r"waive\[(\d+)\]")
_TABLES = ("policy", "device", "attest", "rules", "waive", "signers")
_POLICY_KEYS: tuple[str, ...] = (
    "name",
    "device_role",
    "deny_messengers",
    "trusted_installers",
    "pseudonym_key",
    "personal_whatsapp",
)
_DEVICE_KEYS = ("max_patch_age_days", "min_android")
_ATTEST_KEYS = ("by", "on", "until", "note")
_DEVICE_ATTEST_KEYS = ("device", "package", "by", "on", "until", "note")
_ATTEST_MISNAMED = ("attestations", "attestation", "attested", "attests")
_NEVER_FAIL = (*ORGANISATION_ATTESTABLE, "MSG-07")
"""Items that are manual or not applicable, never fail: nothing to waive, attest them."""
_RULE_KEYS = ("severity", "disabled", "reason")
_WAIVE_KEYS = ("check", "device", "until", "reason", "package")


def parse_policy(data: bytes, source: str, *, known_checks: Collection[str]) -> Policy:
    """The policy in ``data`` (a TOML file's bytes, read from ``source``); raises PolicyError.

    A file that leaves a key out gets the article's default for it; ``name`` defaults to the
    file's name, so a report never calls a file's policy the default one.
    """
    return _Reader(source, known_checks).policy(data)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class _Reader(TomlReader):
    syntax_hint = (
        "strings need quotes, dates and numbers do not (on = 2026-10-01), and "
        "each [table] appears once; see policy.example.toml"
    )

    def __init__(self, source: str, known_checks: Collection[str]) -> None:
        self.source = source
        ordered = list(dict.fromkeys(known_checks))
        self.known = sorted(ordered) if isinstance(known_checks, set | frozenset) else ordered

    def fail(self, key: str, problem: str, hint: str) -> NoReturn:
        if m := _WAIVE_INDEX.match(key):
            key += f" (the {_ordinal(int(m[1]) + 1)} [[waive]])"
        raise PolicyError(f"{self.source}: {key}: {problem}", hint=hint)

    def policy(self, data: bytes) -> Policy:
        doc = self.load(data)
        for k, v in doc.items():
            self.misnamed_attestations(k)
            if k not in _TABLES:
                home = "policy" if k in _POLICY_KEYS else "device" if k in _DEVICE_KEYS else ""
                where = f"put it under [{home}]" if home else "see policy.example.toml"
                kind = f"table [{k}]" if isinstance(v, dict | list) else f"key {k}"
                self.fail(
                    k,
                    f"unknown {kind}; known tables: {', '.join(_TABLES)}",
                    f"{did_you_mean(k, _TABLES)}{where}",
                )
        top = self.table(doc.get("policy", {}), "policy", _POLICY_KEYS)
        dev = self.table(doc.get("device", {}), "device", _DEVICE_KEYS)
        role = self.choice(
            top,
            "policy.device_role",
            [r.value for r in DeviceRole],
            "unspecified",
            "dedicated = used only for business (a separate phone, or fully managed"
            " by the MDM); shared = also used privately; unspecified = not known",
        )
        personal = self.choice(
            top,
            "policy.personal_whatsapp",
            ["private", "forbidden"],
            "private",
            "private = consumer WhatsApp in the personal profile beside an MDM work profile with "
            "WhatsApp Business is the employee's own app; forbidden = it fails MSG-01 and MSG-02",
        )
        key = self.get(top, "policy.pseudonym_key", str, None)
        if key is not None and len(key) < MIN_KEY_LENGTH:
            self.fail(
                "policy.pseudonym_key",
                f"shorter than {MIN_KEY_LENGTH} characters",
                "use a long random key (python3 -c 'import secrets; print(secrets."
                "token_urlsafe(32))'), or leave it out and set MSGSCAN_PSEUDONYM_KEY",
            )
        return Policy(
            name=self.text(top, "policy.name", PurePath(self.source).name),
            denied_messengers=frozenset(self.messengers(top)),
            device_role=DeviceRole(role),
            personal_whatsapp_forbidden=personal == "forbidden",
            max_patch_age_days=self.number(
                dev,
                "device.max_patch_age_days",
                MAX_PATCH_AGE_DAYS,
                90,
                "days since the security patch; the default is 90",
            ),
            min_android=self.number(
                dev, "device.min_android", MIN_ANDROID, 14, "an Android major release such as 14"
            ),
            trusted_installers=frozenset(self.installers(top)),
            attestations=self.attestations(
                self.table(doc.get(ATTEST_TABLE, {}), ATTEST_TABLE, None)
            ),
            overrides=self.overrides(self.table(doc.get("rules", {}), "rules", None)),
            waivers=self.waivers(doc.get("waive", [])),
            signer_pins=signer_pins(self, doc.get("signers", {})),
            pseudonym_key=key,
            digest="sha256:" + hashlib.sha256(data).hexdigest(),
            source=self.source,
        )

    def text(self, table: Mapping[str, object], key: str, default: object = REQUIRED) -> str:
        value = self.get(table, key, str, default)
        if not value.strip():
            self.fail(key, "must not be empty", f'write {key.rpartition(".")[2]} = "..."')
        return value

    def choice(
        self, table: Mapping[str, object], key: str, choices: list[str], default: str, hint: str
    ) -> str:
        value = self.get(table, key, str, default)
        if value not in choices:
            self.fail(key, f"got {describe(value)}, expected one of {', '.join(choices)}", hint)
        return value

    def number(
        self, table: Mapping[str, object], key: str, valid: range, default: int, meaning: str
    ) -> int:
        value = self.get(table, key, int, default, example=default)
        if value not in valid:
            self.fail(
                key,
                f"got {value}, expected {valid.start} to {valid.stop - 1}",
                f"{key.rpartition('.')[2]} is {meaning}",
            )
        return value

    def strings(self, table: Mapping[str, object], key: str) -> list[tuple[str, str]]:
        items = self.get(table, key, list, [])
        for i, item in enumerate(items):
            if not isinstance(item, str):
                self.fail(f"{key}[{i}]", f"got {describe(item)}, expected a string", "add quotes")
        return [(f"{key}[{i}]", item) for i, item in enumerate(items)]

    def package(self, value: str, key: str) -> str:
        if not _PACKAGE.fullmatch(value):
            self.fail(
                key,
                f"{describe(value)} is not a package name",
                "give a package name like com.whatsapp (letters, digits, _ and dots)",
            )
        return value

    def messengers(self, top: Mapping[str, object]) -> list[str]:
        for key, item in (found := self.strings(top, "policy.deny_messengers")):
            if item not in MESSENGER_KEYS and not _PACKAGE.fullmatch(item):
                self.fail(
                    key,
                    f"unknown messenger {describe(item)}; known keys: "
                    f"{', '.join(MESSENGER_KEYS)}; or give a package name like com.example.app",
                    f"{did_you_mean(item, MESSENGER_KEYS)}keys are lower case, as listed",
                )
        return [item for _, item in found]

    def installers(self, top: Mapping[str, object]) -> list[str]:
        for key, item in (found := self.strings(top, "policy.trusted_installers")):
            if self.package(item, key) in SIDELOAD_INSTALLERS:
                self.fail(
                    key,
                    f"{item} is how APKs are sideloaded ({SIDELOAD_INSTALLERS[item]}),"
                    " not an installer to trust",
                    "list only enterprise stores; to stop checking install sources, "
                    "disable MSG-10 under [rules.MSG-10] with a reason",
                )
        return [item for _, item in found]

    def check_id(self, check: str, key: str) -> str:
        if check not in self.known:
            self.fail(
                key,
                f"unknown check id {check}; known: {', '.join(self.known)}",
                f"{did_you_mean(check, self.known)}ids are written as in the checklist",
            )
        return check

    # --- attestations ([attest.ORG-01] tables, [[attest.MSG-07]] entries) ---------------------

    def misnamed_attestations(self, key: str) -> None:
        if key in _ATTEST_MISNAMED:
            self.fail(
                key,
                f"unknown table [{key}]: attestations go under [{ATTEST_TABLE}]",
                f"write [{ATTEST_TABLE}.ORG-01] with by and on, or [[{ATTEST_TABLE}.MSG-07]]"
                " entries with device, by, on and until; see policy.example.toml",
            )

    def attestations(self, attest: Mapping[str, object]) -> dict[str, tuple[Attestation, ...]]:
        out: dict[str, tuple[Attestation, ...]] = {}
        for check, value in attest.items():
            key = f"{ATTEST_TABLE}.{check}"
            if self.check_id(check, key) not in ATTESTABLE:
                self.fail(
                    key,
                    f"{check} cannot be attested; only {', '.join(ATTESTABLE)} can",
                    "the phone shows this item itself; accept one phone's finding with a"
                    " [[waive]] entry instead",
                )
            if check in DEVICE_ATTESTABLE:
                out[check] = self.device_attestations(check, value)
                continue
            if isinstance(value, list):
                self.fail(
                    key,
                    f"{check} is attested once for every phone, not per device",
                    f"write it as one table {attest_key(check)} (single brackets) with by and on",
                )
            table = self.table(value, key, _ATTEST_KEYS, attest_key(check))
            out[check] = (self.attestation(table, key),)
        return out

    def device_attestations(self, check: str, value: object) -> tuple[Attestation, ...]:
        key = f"{ATTEST_TABLE}.{check}"
        if not isinstance(value, list):
            self.fail(
                key,
                f"{check} is attested per phone: got {describe(value)}, expected"
                f" {attest_key(check)} entries",
                f"write one {attest_key(check)} table (double brackets) per phone, with device,"
                " by, on and until",
            )
        out = []
        for i, item in enumerate(value):
            at = f"{key}[{i}]"
            table = self.table(item, at, _DEVICE_ATTEST_KEYS, attest_key(check))
            device = self.text(table, f"{at}.device")
            if device.strip() == "*":
                self.fail(
                    f"{at}.device",
                    "an attestation is made on one phone, not for every phone",
                    "give the phone's serial number (or its pseudonym with --pseudonymize)",
                )
            package = None
            if "package" in table:
                package = self.package(self.text(table, f"{at}.package"), f"{at}.package")
            made = self.attestation(table, at, until_required=True)
            out.append(
                Attestation(made.by, made.on, made.note, made.until, device, package)
            )
        return tuple(out)

    def attestation(
        self, table: Mapping[str, object], key: str, *, until_required: bool = False
    ) -> Attestation:
        on = self.get(table, f"{key}.on", date, REQUIRED)
        until = self.get(table, f"{key}.until", date, REQUIRED if until_required else None)
        if until is not None and until < on:
            self.fail(
                f"{key}.until",
                f"{until.isoformat()} is before on = {on.isoformat()}",
                "until is the last day the attestation holds: a date on or after on",
            )
        return Attestation(
            self.text(table, f"{key}.by"), on, self.get(table, f"{key}.note", str, ""), until
        )

    def overrides(self, rules: Mapping[str, object]) -> dict[str, Override]:
        out = {}
        severities = [s.value for s in Severity]
        for check, value in rules.items():
            key = f"rules.{check}"
            self.check_id(check, key)
            table = self.table(value, key, _RULE_KEYS, f"[rules.{check}]")
            severity = None
            if "severity" in table:
                severity = Severity(
                    self.choice(
                        table,
                        f"{key}.severity",
                        severities,
                        "",
                        'write severity = "low", for example',
                    )
                )
            disabled = self.get(table, f"{key}.disabled", bool, False)
            if severity is not None and disabled:
                self.fail(
                    key,
                    "sets both severity and disabled = true",
                    "a disabled rule has no severity: keep one of the two",
                )
            if severity is None and not disabled:
                if "disabled" in table:
                    continue  # disabled = false: switched back on, nothing to override
                self.fail(
                    key,
                    "sets neither severity nor disabled",
                    'write severity = "low" or disabled = true, with a reason',
                )
            if "reason" not in table:
                self.fail(
                    f"{key}.reason",
                    "missing: a changed rule needs a reason",
                    'write reason = "..." (every report shows it)',
                )
            out[check] = Override(self.text(table, f"{key}.reason"), severity, disabled)
        return out

    def waivers(self, value: object) -> tuple[Waiver, ...]:
        if not isinstance(value, list):
            self.fail(
                "waive",
                f"got {describe(value)}, expected [[waive]] entries",
                "write each waiver as its own [[waive]] table (double brackets)",
            )
        out = []
        for i, item in enumerate(value):
            key = f"waive[{i}]"
            table = self.table(item, key, _WAIVE_KEYS, "[[waive]]")
            check = self.check_id(self.text(table, f"{key}.check"), f"{key}.check")
            if check in _NEVER_FAIL:
                self.fail(
                    f"{key}.check",
                    f"{check} never fails, so there is nothing to waive",
                    f"mark it done under {attest_key(check)} with by and on",
                )
            package = None
            if "package" in table:
                package = self.package(self.text(table, f"{key}.package"), f"{key}.package")
            out.append(
                Waiver(
                    check,
                    self.text(table, f"{key}.device"),
                    self.get(table, f"{key}.until", date, REQUIRED),
                    self.text(table, f"{key}.reason"),
                    package,
                )
            )
        return tuple(out)


__all__ = ["ATTESTABLE", "parse_policy"]
