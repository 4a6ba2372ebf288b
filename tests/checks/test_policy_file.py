"""Reading a policy file: the shipped example, the defaults, the digest, and every refusal."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

import pytest

from checks import policy_file
from checks.errors import PolicyError
from checks.findings import Attestation, Severity, Waiver
from checks.policy import DEFAULT, DeviceRole, Override, Policy
from checks.policy_file import parse_policy

EXAMPLE = Path(__file__).resolve().parents[2] / "policy.example.toml"
SOURCE = "policies/aussendienst.toml"
KNOWN = (
    *(f"MSG-{n:02d}" for n in range(1, 13)),
    "ORG-01",
    "ORG-02",
    "ORG-03",
    "DEV-01",
    "DEV-02",
    "DEV-03",
)
"""The checklist's ids (../shared/reference/checklist.md), in its order."""
WAIVER = b'check = "DEV-01"\ndevice = "R5CX000TEST"\nuntil = 2026-12-31\nreason = "r"\n'
WAIVER_WITHOUT_UNTIL = b'check = "DEV-01"\ndevice = "*"\nreason = "r"\n'


def parse(data: bytes, source: str = SOURCE) -> Policy:
    return parse_policy(data, source, known_checks=KNOWN)


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def refusal(data: bytes) -> tuple[str, str, str]:
    """(file, key, problem) of the PolicyError ``data`` raises."""
    with pytest.raises(PolicyError) as caught:
        parse(data)
    assert caught.value.hint, "every refusal says what to do"
    source, key, problem = caught.value.problem.split(": ", 2)
    return source, key, problem


class TestExample:
    def test_parses_to_the_policy_it_describes(self) -> None:
        """policy.example.toml shows every key, and each reads as its comments say."""
        data = EXAMPLE.read_bytes()
        expected = Policy(
            name="Muster Versicherung AG – Außendienst",
            denied_messengers=frozenset({"whatsapp", "telegram", "com.facebook.orca"}),
            device_role=DeviceRole.DEDICATED,
            max_patch_age_days=60,
            min_android=14,
            trusted_installers=frozenset({"com.example.enterprisestore"}),
            attestations={
                "ORG-01": (
                    Attestation(
                        "Datenschutzbeauftragte",
                        date(2026, 10, 1),
                        "Kundeninformation im Beratungsprotokoll, Stand 09/2026",
                    ),
                ),
                "ORG-02": (Attestation("IT-Leitung", date(2026, 10, 1)),),
                "MSG-03": (
                    Attestation(
                        "Teamleitung Außendienst Nord",
                        date(2026, 11, 20),
                        "Google-Drive-Sicherung: Nie (Einstellungen > Chats > Chat-Backup)",
                        date(2027, 5, 20),
                        "R5CX000TEST",
                        "com.whatsapp.w4b",
                    ),
                ),
                "MSG-06": (
                    Attestation(
                        "Teamleitung Außendienst Nord",
                        date(2026, 11, 20),
                        until=date(2027, 5, 20),
                        device="R5CX000TEST",
                    ),
                ),
            },
            overrides={
                "MSG-12": Override(
                    "Android-Backup ist per MDM-Richtlinie abgeschaltet", severity=Severity.INFO
                ),
                "MSG-07": Override("Telegram ist per MDM gesperrt", disabled=True),
            },
            waivers=(
                Waiver(
                    "DEV-01",
                    "R5CX000TEST",
                    date(2026, 12, 31),
                    "Sicherheitsupdate für dieses Modell vom Hersteller für Dezember angekündigt",
                ),
                Waiver(
                    "MSG-09",
                    "*",
                    date(2026, 11, 15),
                    "Threema-Work-Update wird per MDM stufenweise verteilt",
                    "ch.threema.app.work",
                ),
            ),
            pseudonym_key=None,
            digest=sha256(data),
            source="policy.example.toml",
        )

        assert expected == parse(data, "policy.example.toml")

    def test_commented_pseudonym_key_is_valid(self) -> None:
        """Uncommenting the example's pseudonym_key line gives a policy with that key."""
        data = EXAMPLE.read_bytes().replace(b"# pseudonym_key = ", b"pseudonym_key = ")

        assert "replace-with-a-long-random-secret" == parse(data).pseudonym_key

    def test_shows_every_key(self) -> None:
        """Each key the parser accepts appears in the example, set or commented out."""
        text = EXAMPLE.read_text(encoding="utf-8")
        keys = (
            *policy_file._POLICY_KEYS,
            *policy_file._DEVICE_KEYS,
            *policy_file._ATTEST_KEYS,
            *policy_file._DEVICE_ATTEST_KEYS,
            *policy_file._RULE_KEYS,
            *policy_file._WAIVE_KEYS,
        )

        assert [] == [k for k in keys if not re.search(rf"^(# )?{k} = ", text, re.MULTILINE)]


class TestDefaults:
    @pytest.mark.parametrize(
        "data",
        [b"", b"# nothing decided yet\n", b"[policy]\n[device]\n[attest]\n[rules]\n"],
    )
    def test_empty_file_keeps_the_article_defaults(self, data: bytes) -> None:
        """A file that decides nothing has the default values, named after the file."""
        expected = Policy(name="aussendienst.toml", digest=sha256(data), source=SOURCE)

        assert expected == parse(data)

    def test_empty_file_is_not_the_default_policy(self) -> None:
        """An empty file still has its own digest, so a report tells it from no file at all."""
        assert DEFAULT.digest != parse(b"").digest

    def test_switching_a_rule_back_on_overrides_nothing(self) -> None:
        """disabled = false without a severity needs no reason and leaves the rule as it is."""
        assert {} == parse(b"[rules.MSG-03]\ndisabled = false\n").overrides

    def test_package_names_may_be_denied(self) -> None:
        """deny_messengers takes package names the catalog does not know."""
        data = b'[policy]\ndeny_messengers = ["com.facebook.orca", "com.WhatsApp2Plus"]\n'

        expected = frozenset({"com.facebook.orca", "com.WhatsApp2Plus"})
        assert expected == parse(data).denied_messengers

    def test_byte_order_mark_is_accepted(self) -> None:
        """A UTF-8 byte order mark (Windows editors) is read past, and counted in the digest."""
        data = b'\xef\xbb\xbf[policy]\nname = "Au\xc3\x9fendienst"\n'

        assert ("Außendienst", sha256(data)) == (parse(data).name, parse(data).digest)


class TestDigest:
    def test_same_bytes_same_digest(self) -> None:
        """The digest depends on the bytes only, not on the file's name."""
        data = EXAMPLE.read_bytes()

        assert parse(data, "a.toml").digest == parse(data, "b/c.toml").digest

    def test_any_edit_changes_the_digest(self) -> None:
        """Even an added comment gives another digest: a report names the exact file version."""
        data = EXAMPLE.read_bytes()

        assert parse(data).digest != parse(data + b"# edited\n").digest

    def test_digest_is_sha256_of_the_bytes(self) -> None:
        """The digest is "sha256:" and the hex digest of the file's bytes."""
        data = b"[device]\nmax_patch_age_days = 30\n"

        assert sha256(data) == parse(data).digest


BAD = [
    # syntax and encoding: the position stands in for the key
    (b"[policy]\nname = \n", "line 2, column 8", "not valid TOML: Invalid value"),
    (b'[policy]\nname = "x\n', "line 2, column 10", "not valid TOML: Illegal character"),
    (b"[policy]\n[policy]\n", "line 2, column 8", "not valid TOML: Cannot declare"),
    (b"[device]\nmin_android = ", "end of document", "not valid TOML: Invalid value"),
    (b'[policy]\nname = "M\xfcller"\n', "line 2", "not UTF-8 (byte 0xfc at offset 18)"),
    # typo protection
    (b"[polcy]\n", "polcy", "unknown table [polcy]; known tables: policy, device, attest, rules"),
    (b'name = "x"\n', "name", "unknown key name; known tables: policy, device, attest, rules"),
    (b'[policy]\nnmae = "x"\n', "policy.nmae", "unknown key nmae; known: name, device_role"),
    (b"[device]\nmax_patch_age = 30\n", "device.max_patch_age", "known: max_patch_age_days"),
    (b"policy = 3\n", "policy", "got 3, expected a table"),
    # [policy]
    (b'[policy]\nname = ""\n', "policy.name", "must not be empty"),
    (b"[policy]\nname = 1\n", "policy.name", "got 1, expected a string"),
    (
        b'[policy]\ndevice_role = "privat"\n',
        "policy.device_role",
        "got 'privat', expected one of unspecified, dedicated, shared",
    ),
    (
        b'[policy]\ndeny_messengers = ["whatsap"]\n',
        "policy.deny_messengers[0]",
        (
            "unknown messenger 'whatsap'; known keys: whatsapp, whatsapp_business, whatsapp_mod, "
            "telegram, signal, threema, wire; or give a package name like com.example.app"
        ),
    ),
    (
        b'[policy]\ndeny_messengers = ["signal", "com..whatsapp"]\n',
        "policy.deny_messengers[1]",
        "unknown messenger 'com..whatsapp'",
    ),
    (
        b'[policy]\ndeny_messengers = "whatsapp"\n',
        "policy.deny_messengers",
        "got 'whatsapp', expected a list of strings",
    ),
    (b"[policy]\ndeny_messengers = [1]\n", "policy.deny_messengers[0]", "got 1, expected a string"),
    (
        b'[policy]\ntrusted_installers = ["enterprisestore"]\n',
        "policy.trusted_installers[0]",
        "'enterprisestore' is not a package name",
    ),
    (
        b'[policy]\ntrusted_installers = ["com.android.shell"]\n',
        "policy.trusted_installers[0]",
        "com.android.shell is how APKs are sideloaded (adb install), not an installer to trust",
    ),
    (b'[policy]\npseudonym_key = "geheim"\n', "policy.pseudonym_key", "shorter than 16"),
    (
        b"[policy]\npseudonym_key = 1234567890123456789\n",
        "policy.pseudonym_key",
        "expected a string",
    ),
    # [device]
    (
        b'[device]\nmax_patch_age_days = "90"\n',
        "device.max_patch_age_days",
        "got '90', expected an integer",
    ),
    (
        b"[device]\nmax_patch_age_days = true\n",
        "device.max_patch_age_days",
        "got true, expected an integer",
    ),
    (
        b"[device]\nmax_patch_age_days = 1.5\n",
        "device.max_patch_age_days",
        "got 1.5, expected an integer",
    ),
    (
        b"[device]\nmax_patch_age_days = 0\n",
        "device.max_patch_age_days",
        "got 0, expected 1 to 3650",
    ),
    (
        b"[device]\nmax_patch_age_days = -30\n",
        "device.max_patch_age_days",
        "got -30, expected 1 to",
    ),
    (b"[device]\nmin_android = 140\n", "device.min_android", "got 140, expected 6 to 20"),
    (b"[device]\nmin_android = 5\n", "device.min_android", "got 5, expected 6 to 20"),
    # [attest.*]
    (
        b'[attest.MSG-05]\nby = "DSB"\non = 2026-10-01\n',
        "attest.MSG-05",
        "MSG-05 cannot be attested; only ORG-01, ORG-02, ORG-03, MSG-03, MSG-06, MSG-07 can",
    ),
    (
        b'[attest.MSG-06]\nby = "DSB"\non = 2026-10-01\n',
        "attest.MSG-06",
        "MSG-06 is attested per phone: got a table, expected [[attest.MSG-06]] entries",
    ),
    (
        b'[[attest.ORG-01]]\nby = "DSB"\non = 2026-10-01\n',
        "attest.ORG-01",
        "ORG-01 is attested once for every phone, not per device",
    ),
    (
        b'[[attest.MSG-07]]\ndevice = "R5CX"\nby = "DSB"\non = 2026-10-01\n',
        "attest.MSG-07[0].until",
        "missing",
    ),
    (
        b'[[attest.MSG-07]]\nby = "DSB"\non = 2026-10-01\nuntil = 2027-01-01\n',
        "attest.MSG-07[0].device",
        "missing",
    ),
    (
        b'[[attest.MSG-07]]\ndevice = "*"\nby = "D"\non = 2026-10-01\nuntil = 2027-01-01\n',
        "attest.MSG-07[0].device",
        "an attestation is made on one phone, not for every phone",
    ),
    (
        b'[[attest.MSG-07]]\ndevice = "R5CX"\nby = "D"\non = 2026-10-01\nuntil = 2026-09-01\n',
        "attest.MSG-07[0].until",
        "2026-09-01 is before on = 2026-10-01",
    ),
    (
        b'[[attest.MSG-07]]\ndevice = "R5CX"\nby = "D"\non = 2026-10-01\nuntil = 2027-01-01\n'
        b'package = "telegram"\n',
        "attest.MSG-07[0].package",
        "'telegram' is not a package name",
    ),
    (
        b'[attestations.ORG-01]\nby = "DSB"\non = 2026-10-01\n',
        "attestations",
        "unknown table [attestations]: attestations go under [attest]",
    ),
    (b'[attest.ORG-04]\nby = "DSB"\non = 2026-10-01\n', "attest.ORG-04", "unknown check id ORG-04"),
    (
        b'[attest.ORG-01]\nby = "DSB"\non = "2026-10-01"\n',
        "attest.ORG-01.on",
        "got '2026-10-01', expected a date",
    ),
    (
        b'[attest.ORG-01]\nby = "DSB"\non = 2026-10-01T09:00:00\n',
        "attest.ORG-01.on",
        "got 2026-10-01T09:00:00 (a date with a time), expected a date",
    ),
    (b'[attest.ORG-01]\nby = "DSB"\n', "attest.ORG-01.on", "missing"),
    (b"[attest.ORG-01]\non = 2026-10-01\n", "attest.ORG-01.by", "missing"),
    (
        b'[attest.ORG-01]\nby = "DSB"\non = 2026-10-01\ndate = 2026-10-01\n',
        "attest.ORG-01.date",
        "unknown key date; known: by, on, until, note",
    ),
    (b"[attest]\nORG-01 = true\n", "attest.ORG-01", "got true, expected a table"),
    # [rules.*]
    (
        b'[rules.MSG-99]\ndisabled = true\nreason = "r"\n',
        "rules.MSG-99",
        "unknown check id MSG-99; known: MSG-01, MSG-02, MSG-03",
    ),
    (
        b'[rules.MSG-12]\ndisabled = "yes"\nreason = "r"\n',
        "rules.MSG-12.disabled",
        "got 'yes', expected true or false",
    ),
    (
        b'[rules.MSG-12]\nseverity = "hi"\nreason = "r"\n',
        "rules.MSG-12.severity",
        "got 'hi', expected one of info, low, medium, high, critical",
    ),
    (
        b'[rules.MSG-12]\nseverity = "low"\ndisabled = true\nreason = "r"\n',
        "rules.MSG-12",
        "sets both severity and disabled = true",
    ),
    (b'[rules.MSG-12]\nreason = "r"\n', "rules.MSG-12", "sets neither severity nor disabled"),
    (b"[rules.MSG-12]\ndisabled = true\n", "rules.MSG-12.reason", "missing"),
    (
        b'[rules.MSG-12]\ndisabled = true\nreason = " "\n',
        "rules.MSG-12.reason",
        "must not be empty",
    ),
    (
        b'[rules.MSG-12]\nseverty = "low"\nreason = "r"\n',
        "rules.MSG-12.severty",
        "unknown key severty; known: severity, disabled, reason",
    ),
    (b'[rules]\nMSG-12 = "info"\n', "rules.MSG-12", "got 'info', expected a table"),
    # [[waive]]
    (b'[waive]\ncheck = "DEV-01"\n', "waive", "got a table, expected [[waive]] entries"),
    (
        b"[[waive]]\n" + WAIVER + b"[[waive]]\n" + WAIVER + b"[[waive]]\n" + WAIVER_WITHOUT_UNTIL,
        "waive[2].until (the 3rd [[waive]])",
        "missing",
    ),
    (
        b"[[waive]]\n" + WAIVER.replace(b"2026-12-31", b'"2026-12-31"'),
        "waive[0].until (the 1st [[waive]])",
        "got '2026-12-31', expected a date",
    ),
    (
        b"[[waive]]\n" + WAIVER.replace(b"DEV-01", b"ORG-01"),
        "waive[0].check (the 1st [[waive]])",
        "ORG-01 never fails, so there is nothing to waive",
    ),
    (
        b"[[waive]]\n" + WAIVER.replace(b"DEV-01", b"MSG-99"),
        "waive[0].check (the 1st [[waive]])",
        "unknown check id MSG-99; known: MSG-01",
    ),
    (
        b"[[waive]]\n" + WAIVER + b'package = "whatsapp"\n',
        "waive[0].package (the 1st [[waive]])",
        "'whatsapp' is not a package name",
    ),
    (
        b"[[waive]]\n" + WAIVER + b'serial = "X"\n',
        "waive[0].serial (the 1st [[waive]])",
        "unknown key serial; known: check, device, until, reason, package",
    ),
    (
        b"[[waive]]\n" + WAIVER.replace(b'"R5CX000TEST"', b'""'),
        "waive[0].device (the 1st [[waive]])",
        "must not be empty",
    ),
]


class TestRefusals:
    @pytest.mark.parametrize(("data", "key", "fragment"), BAD)
    def test_names_file_key_and_problem(self, data: bytes, key: str, fragment: str) -> None:
        """Every mistake is a PolicyError naming the file, the key path and what is valid."""
        source, actual_key, problem = refusal(data)

        assert (SOURCE, key) == (source, actual_key)
        assert fragment in problem

    @pytest.mark.parametrize(
        ("data", "hint"),
        [
            (b"[polcy]\n", "did you mean policy?"),
            (b'[policy]\ndeny_messengers = ["WhatsApp"]\n', "did you mean whatsapp?"),
            (b'[rules.msg-12]\ndisabled = true\nreason = "r"\n', "did you mean MSG-12?"),
            (b'[device]\nmin_android = "14"\n', "remove the quotes: write min_android = 14"),
            (
                b'[attest.ORG-01]\nby = "DSB"\non = "2026-10-01"\n',
                "remove the quotes: write on = 2026-12-31 (a TOML date: no quotes, no time)",
            ),
            (b'name = "x"\n', "put it under [policy]"),
            (b"min_android = 14\n", "put it under [device]"),
            (b"[[waive]]\n" + WAIVER.replace(b"DEV-01", b"ORG-02"), "[attest.ORG-02]"),
        ],
    )
    def test_hint_says_what_to_do(self, data: bytes, hint: str) -> None:
        """The hint points at the fix: the likely key, the quotes to drop, the right table."""
        with pytest.raises(PolicyError) as caught:
            parse(data)

        assert hint in caught.value.hint

    def test_each_entry_is_checked_not_only_the_first(self) -> None:
        """A valid first waiver does not hide a broken second one."""
        data = b"[[waive]]\n" + WAIVER + b"[[waive]]\n" + WAIVER.replace(b"DEV-01", b"DEV-9")

        assert "waive[1].check (the 2nd [[waive]])" == refusal(data)[1]


class TestPersonalWhatsapp:
    def test_default_is_private(self) -> None:
        """Without the key, BYOD's personal WhatsApp is the employee's private app."""
        assert False is parse(b"[policy]\n").personal_whatsapp_forbidden

    def test_forbidden(self) -> None:
        """personal_whatsapp = "forbidden" makes MSG-01/02 fail it."""
        assert True is parse(b'[policy]\npersonal_whatsapp = "forbidden"\n').personal_whatsapp_forbidden

    def test_bad_value_is_refused(self) -> None:
        """Any other value names the key and the choices."""
        _, key, problem = refusal(b'[policy]\npersonal_whatsapp = "allowed"\n')
        assert ("policy.personal_whatsapp", True) == (key, "private, forbidden" in problem)
