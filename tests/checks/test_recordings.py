"""The shipped recordings, replayed and judged: what each phone's description implies."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from checks.evaluate import evaluate
from checks.findings import Finding
from checks.policy import DEFAULT
from scanner import recording
from scanner.collect import collect
from scanner.recordings import build
from scanner.replay import ReplayTransport
from tests.checks.factories import TODAY

RECORDINGS = Path(__file__).resolve().parents[2] / "scanner" / "recordings"
A10 = "android10-signal-threema-wire.json"
A14 = "android14-work-profile-business.json"
A16 = "android16-personal-whatsapp-telegram.json"

EXPECT: dict[str, dict[str, list[str]]] = {
    name: recording.load(RECORDINGS / name).meta["expect"]["findings"] for name in build.SHIPPED
}
"""What each shipped recording's metadata says a scan with the default policy finds."""
P, F, NA, M, U = "pass", "fail", "not_applicable", "manual", "unknown"


def judge(name: str) -> tuple[Finding, ...]:
    snapshot = collect(ReplayTransport(recording.load(RECORDINGS / name)))
    return evaluate(snapshot, DEFAULT, today=TODAY, strict=True)


def by_check(findings: Iterable[Finding]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in findings:
        out.setdefault(f.check_id, []).append(f.status.value)
    return out


def one(findings: Iterable[Finding], check_id: str, package: str | None = None) -> Finding:
    [found] = [
        f for f in findings if f.check_id == check_id and (package is None or f.package == package)
    ]
    return found


@pytest.fixture(scope="module")
def judged() -> dict[str, tuple[Finding, ...]]:
    return {name: judge(name) for name in EXPECT}


class TestShippedRecordings:
    @pytest.mark.parametrize("name", sorted(EXPECT))
    def test_statuses(self, name: str, judged: dict[str, tuple[Finding, ...]]) -> None:
        """Every rule gives each shipped phone the statuses its description implies."""
        assert EXPECT[name] == by_check(judged[name])

    def test_every_shipped_recording_is_judged(self) -> None:
        """Every shipped recording says what it must produce, for every rule, on its day."""
        from checks.registry import INDEX

        for name in build.SHIPPED:
            expect = recording.load(RECORDINGS / name).meta["expect"]
            assert (set(INDEX), TODAY.isoformat()) == (set(expect["findings"]), expect["today"])

    @pytest.mark.parametrize("name", sorted(EXPECT))
    def test_verdict(self, name: str, judged: dict[str, tuple[Finding, ...]]) -> None:
        """The verdict of each shipped phone is the one its metadata states."""
        from checks.evaluate import summarize

        expected = recording.load(RECORDINGS / name).meta["expect"]["verdict"]
        assert expected == summarize(judged[name]).verdict

    def test_android16_readers(self, judged: dict[str, tuple[Finding, ...]]) -> None:
        """MSG-05 names the apps that can read the exposed WhatsApp and Telegram files."""
        finding = one(judged[A16], "MSG-05")
        readers = [e.data["package"] for e in finding.evidence if "access" in e.data]

        assert [
            "com.whatsapp",
            "org.telegram.messenger",
            "com.ghisler.android.TotalCommander",
            "com.simplemobiletools.gallery.pro",
            "com.instagram.android",
            "com.example.cleaner",
        ] == readers
        assert ["com.google.android.apps.photos"] == finding.evidence[-1].data["system_readers"]

    def test_android16_archives_and_media(self, judged: dict[str, tuple[Finding, ...]]) -> None:
        """Three WhatsApp backups; 37 visible files in WhatsApp Images."""
        archives = [f for f in judged[A16] if f.check_id == "MSG-03" and f.status.value == F]
        media = one(judged[A16], "MSG-04", "com.whatsapp")

        assert [3] == [e.data["files"] for f in archives for e in f.evidence]
        assert (
            "37 files in WhatsApp Images, newest 2026-11-20, no .nomedia" == media.evidence[0].text
        )

    def test_android10_contacts(self, judged: dict[str, tuple[Finding, ...]]) -> None:
        """Signal's phonebook access needs an attestation; Threema's denial and Wire pass."""
        assert {
            "org.thoughtcrime.securesms": M,
            "ch.threema.app": P,
            "com.wire": P,
        } == {f.package: f.status.value for f in judged[A10] if f.check_id == "MSG-06"}

    @pytest.mark.parametrize("name", sorted(EXPECT))
    def test_no_file_names_in_evidence(
        self, name: str, judged: dict[str, tuple[Finding, ...]]
    ) -> None:
        """Evidence carries counts, dates and catalog folders, never a file on the phone."""
        spec = build.SHIPPED[name][0]()
        names = {path.rsplit("/", 1)[-1] for path, _, _ in spec.storage.files} - {".nomedia"}
        shown = " ".join(f"{e.text} {e.source} {e.data}" for f in judged[name] for e in f.evidence)

        assert set() == {n for n in names if n in shown}
