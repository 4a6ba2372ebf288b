"""The set-ups of scanner/recordings/setups.py, replayed and judged: who can read what by file kind
and Android version (MSG-05), installers real phones record (MSG-10), variants with their own
layout and backup searches that skip Android/data (MSG-03/04), sourced version floors (MSG-09)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable

import pytest

from checks.evaluate import evaluate, summarize
from checks.facts import Snapshot
from checks.findings import Finding
from checks.policy import DEFAULT
from reports.i18n import de_evidence
from scanner import recording
from scanner.collect import collect
from scanner.recordings.setups import HERE, SETUPS, setup
from scanner.replay import ReplayTransport
from tests.checks.factories import TODAY

A14_MEDIA = "setup-android14-media-readers-only.json"
A14_ALL = "setup-android14-all-files-reader.json"
A10 = "setup-android10-legacy-readers.json"
A13_INSTALLERS = "setup-android13-preloaded-installers.json"
A14_TGX = "setup-android14-telegram-x-signal.json"


def _snapshot(name: str) -> Snapshot:
    return collect(ReplayTransport(recording.load(HERE / name)))


@pytest.fixture(scope="module")
def judged() -> dict[str, tuple[Finding, ...]]:
    return {
        name: evaluate(_snapshot(name), DEFAULT, today=TODAY, strict=True) for name in SETUPS
    }


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


def readers(finding: Finding) -> dict[str, list[str]]:
    return {e.data["package"]: e.data["reads"] for e in finding.evidence if "reads" in e.data}


class TestRecordings:
    @pytest.mark.parametrize("name", sorted(SETUPS))
    def test_statuses(self, name: str, judged: dict[str, tuple[Finding, ...]]) -> None:
        """Every rule gives each set-up the statuses its metadata states, for every rule."""
        from checks.registry import INDEX

        expect = recording.load(HERE / name).meta["expect"]
        assert set(INDEX) == set(expect["findings"])
        assert expect["findings"] == by_check(judged[name])
        assert expect["verdict"] == summarize(judged[name]).verdict

    @pytest.mark.parametrize("name", sorted(SETUPS))
    def test_file_is_what_the_builder_makes(self, name: str) -> None:
        """The JSON in the repository is the builder's output (no hand edits, no drift), and says
        it was constructed and how."""
        stored = recording.load(HERE / name)

        assert setup(name) == stored
        assert "constructed" == stored.meta["source"]
        assert "Constructed by scanner/recordings/construct.py" in stored.meta["how_made"]
        assert stored.meta["description"]

    @pytest.mark.parametrize("name", sorted(SETUPS))
    def test_german_covers_every_line(
        self, name: str, judged: dict[str, tuple[Finding, ...]]
    ) -> None:
        """The German report has no English evidence line left for these phones."""
        english = [
            e.text
            for f in judged[name]
            for e in f.evidence
            if de_evidence.translate(e.text) is None
        ]
        assert [] == english


class TestWhoReadsWhat:
    def test_media_permissions_do_not_reach_backups_or_hidden_media(
        self, judged: dict[str, tuple[Finding, ...]]
    ) -> None:
        """Android 14: galleries, a music player, WRITE (target 33) and READ (target 34) holders
        read no chat backup and nothing in Private/ or Sent/: MSG-05 passes, MSG-03 fails."""
        finding = one(judged[A14_MEDIA], "MSG-05")

        assert "pass" == finding.status.value
        assert {} == readers(finding)
        assert [
            "no other third-party app in user 0 (personal profile) can read the messenger data "
            "found there",
            "WhatsApp: 3 chat backup files in shared storage",
            "WhatsApp: 13 hidden media files in shared storage",
        ] == [e.text for e in finding.evidence[:3]]
        [unreached] = [e.data["unreached"] for e in finding.evidence if "unreached" in e.data]
        assert {"com.simplemobiletools.gallery.pro", "com.example.musicplayer"} <= set(unreached)
        assert not {"com.example.notes", "com.example.scanner"} & set(unreached)

    def test_all_files_access_reads_backups_and_hidden_media(
        self, judged: dict[str, tuple[Finding, ...]]
    ) -> None:
        """The file manager with all-files access is the one reader, named with what it reads in
        the first line (the one the text format shows)."""
        finding = one(judged[A14_ALL], "MSG-05")

        assert "fail" == finding.status.value
        assert {
            "com.ghisler.android.TotalCommander": ["WhatsApp chat backups", "WhatsApp hidden media"]
        } == readers(finding)
        assert finding.evidence[0].text == (
            "1 other app can read messenger data in shared storage of user 0 (personal profile): "
            "com.ghisler.android.TotalCommander (WhatsApp chat backups, WhatsApp hidden media)"
        )

    def test_android10_install_time_grant_reads_everything(
        self, judged: dict[str, tuple[Finding, ...]]
    ) -> None:
        """An app targeting 22 holds READ_EXTERNAL_STORAGE from install (parsed from the rendered
        install permissions); it reads the legacy backups. The scoped app (LEGACY_STORAGE ignore)
        reads media only and is not counted."""
        old = _snapshot(A10).package("com.example.oldgallery")
        assert old is not None and old.target_sdk == 22
        assert old.install_permissions.get("android.permission.READ_EXTERNAL_STORAGE") is True
        assert not old.users[0].runtime_permissions

        finding = one(judged[A10], "MSG-05")
        assert {"com.example.oldgallery": ["WhatsApp chat backups"]} == readers(finding)
        [unreached] = [e.data["unreached"] for e in finding.evidence if "unreached" in e.data]
        assert ["com.example.photoeditor"] == unreached

    def test_text_report_names_the_reader(self) -> None:
        """The text format, which shows one line per finding, names the reader and what it reads."""
        out = subprocess.run(
            [sys.executable, "-m", "scanner.app.cli", "scan", "--replay", str(HERE / A14_ALL),
             "--format", "text", "--lang", "en"],
            capture_output=True, text=True, check=False,
        ).stdout
        text = " ".join(out.split())

        assert (
            "com.ghisler.android.TotalCommander (WhatsApp chat backups, WhatsApp hidden media)"
            in text
        )


class TestInstallers:
    def test_installers_real_phones_record(self, judged: dict[str, tuple[Finding, ...]]) -> None:
        """Meta's and the maker's system installers pass named; an unlisted system app passes
        named as firmware; a self-updating APK and the maker's package installer fail."""
        got = {
            f.package: (f.status.value, f.evidence[0].text)
            for f in judged[A13_INSTALLERS]
            if f.check_id == "MSG-10"
        }

        assert {
            "com.whatsapp": (
                "pass",
                "installed by Meta App Installer (com.facebook.system), a system installer of the "
                "phone (preloaded app)",
            ),
            "org.telegram.messenger": (
                "pass",
                "installed by Xiaomi GetApps (com.xiaomi.mipicks), a system installer of the phone "
                "(preloaded app)",
            ),
            "org.telegram.messenger.web": (
                "fail",
                "the app is recorded as its own installer: an APK installed outside an app store "
                "(a self-updating download or a restore tool)",
            ),
            "ch.threema.app": ("fail", "installed by package installer (an APK file)"),
            "org.thoughtcrime.securesms": (
                "pass",
                "installed by com.xiaomi.discover, a system app of the phone's firmware (the "
                "maker's installer)",
            ),
        } == got

    def test_whatsapp_inside_cve_2026_23866(self, judged: dict[str, tuple[Finding, ...]]) -> None:
        """2.26.5.12 lies inside 2.25.8.0 through 2.26.7.10; the advisory names its record."""
        finding = one(judged[A13_INSTALLERS], "MSG-09", "com.whatsapp")

        assert ["CVE-2026-23866"] == finding.evidence[0].data["missing"]
        source = finding.evidence[1].data["source"]
        assert "https://www.cve.org/CVERecord?id=CVE-2026-23866" == source


class TestOwnLayouts:
    def test_telegram_x_is_not_judged_on_telegram_folders(
        self, judged: dict[str, tuple[Finding, ...]]
    ) -> None:
        """Telegram's leftover folders hold visible images; they are not Telegram X's: manual."""
        findings = judged[A14_TGX]

        assert "manual" == one(findings, "MSG-04", "org.thunderdog.challegram").status.value
        assert "manual" == one(findings, "MSG-05").status.value

    def test_backup_search_skips_android_data(self, judged: dict[str, tuple[Finding, ...]]) -> None:
        """Android/data and Android/obb are unreadable on this phone; the whole-storage search
        prunes them, so Signal's MSG-03 passes instead of turning unknown."""
        rec = recording.load(HERE / A14_TGX)
        searches = [c for c in rec.commands if "signal-*.backup" in c.argv]
        [search] = searches

        assert "-prune" in search.argv
        assert b"Permission denied" not in search.stdout
        assert "pass" == one(judged[A14_TGX], "MSG-03", "org.thoughtcrime.securesms").status.value

    def test_probe_shapes(self) -> None:
        """Whole-storage searches prune Android/data and Android/obb; fixed folders do not need
        to; WhatsApp's Sent/ and Private/ are read one level below each media folder."""
        rec = recording.load(HERE / A14_MEDIA)
        finds = {" ".join(c.argv[:2]): c.argv for c in rec.commands if c.argv[0] == "find"}
        images = "/storage/emulated/0/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images"
        hidden = [c.argv for c in rec.commands if c.argv[:2] == ("find", images)]

        assert all("-prune" not in argv for argv in finds.values())
        assert sorted(("-mindepth" in a, a[a.index("-maxdepth") + 1]) for a in hidden) == [
            (False, "1"),
            (True, "2"),
        ]
        tgx = recording.load(HERE / A14_TGX)
        [search] = [c.argv for c in tgx.commands if "signal-backup-*" in c.argv]
        assert search[:9] == (
            "find", "/storage/emulated/0",
            "-path", "/storage/emulated/0/Android/data", "-prune", "-o",
            "-path", "/storage/emulated/0/Android/obb", "-prune",
        )
