"""Renderers: the JSON bytes, and the text summary a person reads at the desk."""

from __future__ import annotations

import json

import pytest
from msgspec.structs import replace

from checks.facts import DeviceIdentity, Package, Snapshot, Unseen
from checks.findings import Evidence, Outcome, Severity, Status
from checks.result import ScanResult, pseudonym
from checks.rule import Context, check
from reports.render.interface import Renderer
from reports.render.json import JsonRenderer
from reports.render.text import WIDTH, TextRenderer, clean
from reports.report import build_report
from tests.reports.scans import ARTICLE, RULES, SHIPPED, handmade, replayed, scan, withheld

ANSI = "\x1b[31m"
HOSTILE = f"2.26{ANSI}.41\r\x1b]0;owned\x07\x9b2J\u202e\x00\x7f.74\x1b[0m"
"""A version name a hostile or broken phone could report: colour, carriage return, a window
title (OSC), a C1 CSI, a bidi override, NUL and DEL."""


def hostile_snapshot() -> Snapshot:
    snapshot = handmade()
    packages = snapshot.packages
    assert not isinstance(packages, Unseen)
    whatsapp: Package = replace(packages[0], version_name=HOSTILE)
    assert isinstance(snapshot.identity, DeviceIdentity)
    identity = replace(snapshot.identity, model=f"Pixel{ANSI} 8\n")
    return replace(snapshot, packages=(whatsapp, *packages[1:]), identity=identity)


def text(result: ScanResult) -> str:
    return TextRenderer().render(result).decode("utf-8")


@pytest.mark.parametrize("renderer", [JsonRenderer(), TextRenderer()])
def test_renderers_follow_the_protocol(renderer: Renderer) -> None:
    """Every renderer is a Renderer: render(result) -> bytes, with a media type."""
    assert isinstance(renderer, Renderer)
    assert isinstance(renderer.render(scan(handmade())), bytes) and renderer.media_type


class TestJson:
    def test_bytes(self) -> None:
        """UTF-8, indented by two, one trailing newline, and the report itself."""
        result = scan(replayed("android16-personal-whatsapp-telegram.json"))
        data = JsonRenderer().render(result)

        assert data.endswith(b"}\n") and not data.endswith(b"\n\n")
        assert data.startswith(b'{\n  "schema_version": "1.3",\n  "scan": {\n    "id"')
        written = json.loads(data.decode("utf-8"))
        assert list(written)[-1] == "integrity"  # the digest comes last (reports.integrity)
        del written["integrity"]
        assert build_report(result) == written

    def test_non_ascii_stays_readable(self) -> None:
        """Names outside ASCII are written as UTF-8, not as escapes."""
        result = replace(scan(handmade()), msgscan_version="0.1.0+größe")

        assert "größe".encode() in JsonRenderer().render(result)

    def test_no_raw_control_characters(self) -> None:
        """Control characters from the phone are stripped: no ESC, C1, bidi or NUL, raw or escaped."""
        data = JsonRenderer().render(scan(hostile_snapshot())).decode("utf-8")

        assert not any(c in data for c in "\x1b\x9b\u202e\x00\x7f\r")
        assert "2.26.41.74" == json.loads(data)["messengers"][0]["version_name"]


class TestText:
    def test_header(self) -> None:
        """Device, Android with SDK, patch, the verdict in words and the score lead."""
        lines = text(scan(replayed("android14-work-profile-business.json"))).splitlines()

        assert [
            "Device    MSGSCAN14WP: Google Pixel 7a",
            "Android   14 (SDK 34)",
            "Patch     2026-10-05",
            "Verdict   NOT COMPLIANT: 2 failed findings",
        ] == lines[1:5]
        assert lines[5].startswith("Score     ") and lines[5].endswith(" / 100")

    def test_messengers_per_profile(self) -> None:
        """User 0 is the personal side, a managed profile the work profile."""
        out = text(scan(replayed("android14-work-profile-business.json")))

        assert "    Personal (user 0): none\n" in out
        assert "    Work profile (user 10): WhatsApp Business 2.26.41.74\n" in out

    def test_a_mod_is_called_unofficial(self) -> None:
        """An unofficial client is named as one next to its version."""
        assert "Work profile (user 10): GBWhatsApp 17.85 (unofficial mod)" in text(scan(handmade()))

    def test_sections_worst_first(self) -> None:
        """Failed, then manual, then unknown/error, then one line counting passes and n/a, then
        the article's comparison of messengers."""
        out = text(scan(handmade()))
        order = [
            out.index("FAILED (3)"),
            out.index("MANUAL: a person must attest these (1)"),
            out.index("NOT CHECKED: unknown or error (2)"),
            out.index("2 passed, 1 not applicable."),
            out.index("The article's comparison of messengers"),
        ]

        assert sorted(order) == order
        assert "2 passed, 1 not applicable.\n\nThe article's comparison of messengers\n" in out

    def test_failed_items_severe_first(self) -> None:
        """Within FAILED: severity, id, title, what it is about, evidence and the first fix."""
        out = text(scan(handmade()))
        block = out[out.index("FAILED") : out.index("MANUAL")].splitlines()

        assert [
            "FAILED (3)",
            "    HIGH     TST-01  Messenger reads the address book [WhatsApp, personal (user 0)]",
            "        READ_CONTACTS granted for user 0",
            "        Fix: Revoke the contacts permission.",
        ] == block[:4]
        assert block[4].startswith("    LOW      TST-02") and "work profile (user 10)" in block[4]

    def test_unknown_and_error_give_their_reason(self) -> None:
        """Items that could not be checked say why."""
        out = text(scan(handmade()))
        block = out[out.index("NOT CHECKED") :]

        assert "UNKNOWN  TST-04" in block and "permission denied: /storage/emulated/10" in block
        assert "ERROR    TST-05" in block and "dumpsys backup failed (exit 1)" in block

    def test_waived_and_attested(self) -> None:
        """A waived failure shows its waiver instead of a fix; an attested item who attested."""
        from datetime import date

        from checks.findings import Attestation, Waiver
        from checks.policy import Policy

        policy = Policy(waivers=(Waiver("TST-01", "*", date(2027, 1, 31), "MDM rollout"),))
        result = scan(handmade(), policy=policy)
        note = Attestation("J. Doe", date(2026, 11, 1))
        findings = tuple(
            replace(f, attested=note) if f.status is Status.MANUAL else f for f in result.findings
        )
        out = text(replace(result, findings=findings))

        assert "FAILED (2)\n" in out
        assert "WAIVED: failures the policy accepts (1)\n" in out
        assert "waived until 2027-01-31: MDM rollout" in out
        assert "attested by J. Doe on 2026-11-01" in out
        assert "Verdict   NOT COMPLIANT: 2 failed findings (1 failure waived)" in out

    def test_withheld_facts_read_as_unknown(self) -> None:
        """What the phone withheld reads "unknown (reason)", and the scan says it stopped."""
        out = text(scan(withheld(), error="the phone went away"))

        assert "Android   unknown (getprop failed (exit 1): permission denied)" in out
        assert "Verdict   INCOMPLETE" in out
        assert "stopped early" in out and "- the phone went away" in out
        assert "    unknown: dumpsys package: not collected (phone lost)" in out

    def test_control_characters_are_stripped(self) -> None:
        """ANSI escapes and control characters from the phone never reach the terminal."""
        out = text(scan(hostile_snapshot()))

        assert not any(c in out for c in "\x1b\x9b\u202e\x00\x7f\r")
        assert "[31m" not in out and "owned" not in out
        assert "Personal (user 0): WhatsApp 2.26.41 .74\n" in out  # \r read as a space
        assert "Device    R5CT1234ABC: Google Pixel 8\n" in out

    @pytest.mark.parametrize("name", SHIPPED)
    def test_width_of_recordings(self, name: str) -> None:
        """No line of a replayed scan's summary is wider than 100 columns."""
        lines = text(scan(replayed(name))).splitlines()

        assert [] == [line for line in lines if len(line) > WIDTH]

    def test_width_of_long_text(self) -> None:
        """Long evidence, titles and unbroken words are wrapped to 100 columns, not cut."""
        long = "word " * 60 + "x" * 250

        @check(
            id="TST-10",
            slug="long",
            title="A very long title " * 8,
            severity=Severity.MEDIUM,
            article=ARTICLE,
            rationale="test",
            remediation=(long,),
        )
        def wordy(ctx: Context):  # type: ignore[no-untyped-def]
            yield Outcome(Status.FAIL, (Evidence(long, "test"),), "com.whatsapp", 0)

        lines = text(scan(hostile_snapshot(), rules=(*RULES, wordy))).splitlines()

        assert [] == [line for line in lines if len(line) > WIDTH]
        assert 2 == "".join(line.strip() for line in lines).count("x" * 250)  # evidence, fix

    def test_pseudonym_in_text(self) -> None:
        """The summary names a pseudonymized phone by its pseudonym only."""
        snapshot = handmade(problems=("R5CT1234ABC: lost",), complete=False)
        out = text(scan(snapshot, device_name=pseudonym("R5CT1234ABC", "key")))

        assert "R5CT1234ABC" not in out
        assert f"Device    {pseudonym('R5CT1234ABC', 'key')}: Google Pixel 8" in out


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain", "plain"),
        ("\x1b[1;31mred\x1b[0m", "red"),
        ("a\rb\nc\td", "a b c d"),
        ("\x1b]8;;https://evil\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("\x1b]0;title\x07x", "x"),
        ("\x9b31mx", "x"),
        ("\x1bcreset", "reset"),
        ("\u202egnp.exe", "gnp.exe"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("nul\x00del\x7f", "nuldel"),
        ("Größe 🙂", "Größe 🙂"),
    ],
)
def test_clean(raw: str, expected: str) -> None:
    """clean() leaves printable text and removes escapes and controls, sequences whole."""
    assert expected == clean(raw)
