"""The command line: exit codes, formats, atomic output, policy errors, pseudonyms."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reports.report import validate
from scanner.app.cli import main

ROOT = Path(__file__).resolve().parents[4]
RECORDINGS = ROOT / "scanner" / "recordings"
A16 = str(RECORDINGS / "android16-personal-whatsapp-telegram.json")
A14 = str(RECORDINGS / "android14-work-profile-business.json")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


class TestScan:
    def test_failed_checks_exit_1(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A phone with failed checks exits 1 and prints the summary."""
        code, out, _ = run(capsys, "scan", "--replay", A16)
        assert (1, True) == (code, "NOT COMPLIANT" in out)

    def test_no_failed_check_exits_0(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Only informational results and unknowns: exit 0."""
        code, out, _ = run(capsys, "scan", "--replay", A14)
        assert 0 == code

    def test_json_report_validates_and_is_written_atomically(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """-o replaces the file in one step and leaves no temporary file behind."""
        target = tmp_path / "report.json"
        target.write_text("old")
        code, out, _ = run(capsys, "scan", "--replay", A16, "--format", "json", "-o", str(target))
        report = json.loads(target.read_text())
        validate(report)
        assert (1, "", ["report.json"]) == (code, out, sorted(p.name for p in tmp_path.iterdir()))

    def test_pseudonymize_needs_a_key(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        """Without a key --pseudonymize refuses before touching the phone."""
        monkeypatch.delenv("MSGSCAN_PSEUDONYM_KEY", raising=False)
        code, _, err = run(capsys, "scan", "--replay", A16, "--pseudonymize")
        assert (2, True) == (code, "MSGSCAN_PSEUDONYM_KEY" in err)

    def test_pseudonymize_hides_the_serial(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        """The serial appears nowhere in either output format."""
        monkeypatch.setenv("MSGSCAN_PSEUDONYM_KEY", "a-key-for-the-tests-0123456789")
        for fmt in ("json", "text"):
            _, out, _ = run(capsys, "scan", "--replay", A16, "--pseudonymize", "--format", fmt)
            assert ("MSGSCAN16PH" in out, "anon-" in out) == (False, True)

    def test_bad_policy_names_file_and_key(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A bad policy file exits 2 naming the file, the key and the problem."""
        policy = tmp_path / "p.toml"
        policy.write_text("[device]\nmax_patch_age_days = 'ninety'\n")
        code, _, err = run(capsys, "scan", "--replay", A16, "--policy", str(policy))
        assert (2, True) == (code, bool(re.search(r"p\.toml: device\.max_patch_age_days: .*", err)))

    def test_policy_changes_the_verdict(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """Denying WhatsApp Business fails the work-profile phone (MSG-11)."""
        policy = tmp_path / "deny.toml"
        policy.write_text('[policy]\nname = "no WhatsApp"\ndeny_messengers = ["whatsapp_business"]\n')
        code, out, _ = run(capsys, "scan", "--replay", A14, "--policy", str(policy), "--format", "json")
        statuses = {f["check_id"]: f["status"] for f in json.loads(out)["findings"] if f["check_id"] == "MSG-11"}
        assert (1, {"MSG-11": "fail"}) == (code, statuses)

    def test_missing_recording(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A recording that does not exist exits 2 with the path in the message."""
        code, _, err = run(capsys, "scan", "--replay", str(tmp_path / "nope.json"))
        assert (2, True) == (code, "nope.json: no such file" in err)

    def test_bad_flag(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A bad flag value exits 2 and names the flag."""
        with pytest.raises(SystemExit) as e:
            main(["scan", "--format", "pdf"])
        assert (2, True) == (e.value.code, "--format" in capsys.readouterr().err)


def test_checks_lists_every_checklist_id(capsys: pytest.CaptureFixture[str], checklist_ids: list[str]) -> None:
    """`msgscan checks --json` lists exactly the ids of checklist.md, in its order."""
    code, out, _ = run(capsys, "checks", "--json")
    assert (0, checklist_ids) == (code, [c["id"] for c in json.loads(out)["checks"]])


def test_parse_from_stdin(capture, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    """`parse dumpsys-package -` reads standard input and prints the stable shape."""
    import io

    data = capture("tekartik-wearos-android11/dumpsys-package-2.txt")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = run(capsys, "parse", "dumpsys-package", "-")
    [pkg] = json.loads(out)["packages"]
    assert (0, "com.tekartik.package2", "1.4.73", 248) == (code, pkg["name"], pkg["version_name"], pkg["version_code"])


@pytest.mark.parametrize("name", sorted(p.name for p in RECORDINGS.glob("*.json")))
def test_snapshot_replay(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`snapshot --replay FILE --json` rebuilds the snapshot of every shipped recording."""
    code, out, _ = run(capsys, "snapshot", "--replay", str(RECORDINGS / name), "--json")
    snap = json.loads(out)
    assert (0, True, 1) == (code, snap["complete"], snap["snapshot_version"])


def test_installed_console_script() -> None:
    """The `msgscan` console script is installed and answers --version."""
    exe = Path(sys.executable).with_name("msgscan")
    done = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60, env=os.environ)
    assert (0, True) == (done.returncode, done.stdout.startswith("msgscan "))


class TestBadOutputAndInput:
    def test_unwritable_output_exits_2(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """-o into a missing folder or onto a directory: exit 2 naming the path, no traceback."""
        for target in (tmp_path / "missing" / "r.json", tmp_path):
            code, _, err = run(capsys, "scan", "--replay", A16, "-o", str(target))
            assert (2, True) == (code, f"{target}: cannot write" in err)

    @pytest.mark.parametrize("files", ["5", "null", "[1]", '[{"path": "/x"}]'])
    def test_malformed_recording_files(self, files: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A recording whose files entry is malformed is refused with exit 2, never a crash."""
        raw = json.loads(Path(A16).read_text())
        raw["files"] = json.loads(files)
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(raw))
        code, _, err = run(capsys, "scan", "--replay", str(bad))
        assert (2, True) == (code, "files" in err and "Traceback" not in err)

    def test_short_pseudonym_key(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        """A pseudonym key shorter than 16 characters is refused (it could be guessed)."""
        monkeypatch.setenv("MSGSCAN_PSEUDONYM_KEY", "k")
        code, _, err = run(capsys, "scan", "--replay", A16, "--pseudonymize")
        assert (2, True) == (code, "at least 16" in err)


def test_report_permissions(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A new report gets the permissions a plain file would (umask); a replaced one keeps its own."""
    import stat

    new = tmp_path / "new.json"
    old = tmp_path / "old.json"
    old.write_text("{}")
    old.chmod(0o640)
    for target in (new, old):
        run(capsys, "scan", "--replay", A14, "--format", "json", "-o", str(target))
    # msgscan read this process's umask at import: compare with what a plain open() gives
    plain = tmp_path / "plain"
    plain.write_text("")
    assert (stat.S_IMODE(plain.stat().st_mode), 0o640) == (
        stat.S_IMODE(new.stat().st_mode),
        stat.S_IMODE(old.stat().st_mode),
    )
