"""Fault matrix, damaged phone output (issue 12, cases 1-4): every case's outcome, asserted.

Each case changes one output of a shipped recording (or damages it on the wire) and checks what a
user and the agent get: the exit code of ``msgscan scan`` (2 for damaged input, never 1 and never a
traceback), the problem text in the report, the statuses (nothing that read the damaged fact
passes or is "not applicable"), that the rest of the scan still counts, and that the agent would
resolve nothing. The general rule is exercised per parser, not per string.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from checks.drift import diff
from checks.evaluate import evaluate
from checks.facts import Snapshot, Unseen
from checks.findings import Finding
from checks.policy import Policy
from scanner import probes
from scanner.app.cli import main
from scanner.collect import collect
from scanner.parse.dumpsys_package import read_dumpsys_package
from scanner.parse.text import decode
from scanner.recording import Command, Recording, load, save
from scanner.recordings import build
from scanner.replay import ReplayTransport

ANDROID16 = build.HERE / "android16-personal-whatsapp-telegram.json"
TODAY = date(2026, 11, 26)
WHATSAPP = "  Package [com.whatsapp] (780df6e):\n"
ABSENCE = {"pass", "not_applicable"}
"""What a rule concludes from not seeing something: never on damaged facts."""


def changed(argv: tuple[str, ...], change: Callable[[bytes], bytes]) -> Recording:
    rec = load(ANDROID16)
    commands = tuple(
        Command(c.argv, change(c.stdout), c.stderr, c.exit_code, c.device_ms) if c.argv == argv else c
        for c in rec.commands
    )
    assert commands != rec.commands, f"{argv} is not in the recording"
    return Recording(rec.device, commands, rec.meta, rec.files)


def packages_changed(change: Callable[[str], str]) -> Recording:
    return changed(probes.PACKAGES.argv, lambda b: change(b.decode()).encode())


def scan(tmp_path: Path, rec: Recording) -> tuple[int, dict[str, Any]]:
    """``msgscan scan --replay`` of ``rec``: exit code and the JSON report."""
    path, out = tmp_path / "phone.json", tmp_path / "report.json"
    save(rec, path)
    code = main(["scan", "--replay", str(path), "--format", "json", "-o", str(out)])
    return code, json.loads(out.read_text())


def statuses(report: dict[str, Any], prefix: str) -> list[str]:
    return [f["status"] for f in report["findings"] if f["check_id"].startswith(prefix)]


def problems(report: dict[str, Any]) -> str:
    return "\n".join(report["scan"]["problems"])


def resolved_by(snapshot: Snapshot) -> tuple[object, ...]:
    """What the agent would close after a clean scan of the same phone, then this one."""
    clean = collect(ReplayTransport(load(ANDROID16)))
    at = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    before = diff({}, findings(clean), complete=True, at=at)
    rows = {row.key: row for row in before.rows}
    after = diff(rows, findings(snapshot), complete=snapshot.complete, at=at.replace(hour=3))
    return after.resolved


def findings(snapshot: Snapshot) -> tuple[Finding, ...]:
    return evaluate(snapshot, Policy(), today=TODAY)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    code, report = scan(tmp_path_factory.mktemp("clean"), load(ANDROID16))
    assert 1 == code and report["scan"]["complete"] and not report["scan"]["problems"]
    return report


# --- case 1: one bad header line hid every later package ------------------------------------


@pytest.mark.parametrize(
    ("header", "shown"),
    [
        ("  Package [com.example bar] (1234567):", "'com.example bar'"),
        ("  Package [x && rm -rf /] (1234567):", "'x && rm -rf /'"),
        ("  Package [$(reboot)] (1234567):", "'$(reboot)'"),
        ("  Package [com.whats", "'com.whats'"),  # cut before the "]"
    ],
)
def test_bad_package_header(tmp_path: Path, baseline: dict[str, Any], header: str, shown: str) -> None:
    """The bad block is named (escaped), the packages after it still count, nothing that reads
    the package list passes, the scan is incomplete (exit 2) and the agent closes nothing."""
    block = f"{header}\n    appId=10999\n    User 0: installed=true\n"
    rec = packages_changed(lambda t: t.replace(WHATSAPP, block + WHATSAPP))
    code, report = scan(tmp_path, rec)
    assert 2 == code
    assert not report["scan"]["complete"]
    assert "package header without a valid name (1)" in problems(report)
    assert shown in problems(report)
    assert ["com.whatsapp", "org.telegram.messenger"] == [m["package"] for m in report["messengers"]]
    assert not ABSENCE & set(statuses(report, "MSG-"))
    assert "fail" in statuses(report, "MSG-")  # what the phone did show still fails
    assert statuses(baseline, "DEV-") == statuses(report, "DEV-")  # the rest of the scan counts
    assert () == resolved_by(collect(ReplayTransport(rec)))


def test_no_messenger_is_never_claimed_on_a_damaged_list(tmp_path: Path) -> None:
    """With every messenger block damaged, the report does not say "no messenger installed"."""
    rec = packages_changed(
        lambda t: t.replace("Package [com.whatsapp]", "Package [com.whatsapp;x]").replace(
            "Package [org.telegram.messenger]", "Package [org telegram]"
        )
    )
    code, report = scan(tmp_path, rec)
    assert 2 == code
    assert "unseen" in report["messengers"]
    assert "could not be fully read" in report["messengers"]["unseen"]
    assert set(statuses(report, "MSG-")) == {"unknown"}


# --- case 2: cut or damaged values read as false ----------------------------------------------


def _installed_value(text: str) -> int:
    """Where the value of WhatsApp's ``User 0: … installed=`` starts."""
    user = text.index("User 0: ", text.index(WHATSAPP))
    return text.index("installed=true", user) + len("installed=")


def cut_at_installed(text: str) -> str:
    return text[: _installed_value(text) + 1]  # "installed=t"


@pytest.mark.parametrize(
    "change",
    [lambda t: cut_at_installed(t), lambda t: nul_in_installed(t)],
    ids=["cut-at-installed=t", "nul-in-value"],
)
def test_unreadable_installed_value(tmp_path: Path, change: Callable[[str], str]) -> None:
    """``installed=t`` and ``installed=\\0true`` are unknown (null in the report), never false."""
    rec = packages_changed(change)
    listing = read_dumpsys_package(decode(next(c for c in rec.commands if c.argv == probes.PACKAGES.argv).stdout))
    whatsapp = next(p for p in listing.packages if p.name == "com.whatsapp")
    assert isinstance(whatsapp.users[0].installed, Unseen)
    code, report = scan(tmp_path, rec)
    assert 2 == code
    assert "unreadable installed= value (1)" in problems(report) and "'com.whatsapp'" in problems(report)
    installs = next(m for m in report["messengers"] if m["package"] == "com.whatsapp")["installs"]
    assert [None] == [i["installed"] for i in installs]
    assert not ABSENCE & set(statuses(report, "MSG-"))


def nul_in_installed(text: str) -> str:
    at = _installed_value(text)
    return text[:at] + "\0" + text[at:]  # "installed=\0true"


# --- case 3: encodings --------------------------------------------------------------------------


def _utf16_then_utf8(data: bytes) -> bytes:
    half = data.index(b"\n", len(data) // 2) + 1
    return b"\xff\xfe" + data[:half].decode().encode("utf-16-le") + data[half:]


@pytest.mark.parametrize(
    "encode",
    [lambda b: b.decode().encode("utf-16-le"), lambda b: b"\xff\xfe" + b.decode().encode("utf-16-le"),
     _utf16_then_utf8],
    ids=["utf16le-no-bom", "utf16le-bom", "utf16-then-utf8"],
)  # fmt: skip
def test_encodings_are_decided_by_content(tmp_path: Path, baseline: dict[str, Any], encode: Callable[[bytes], bytes]) -> None:
    """UTF-16LE with or without a BOM, and UTF-16 followed by UTF-8, read as the plain dump."""
    code, report = scan(tmp_path, changed(probes.PACKAGES.argv, encode))
    assert (1, True, []) == (code, report["scan"]["complete"], report["scan"]["problems"])
    assert [(f["check_id"], f["status"]) for f in baseline["findings"]] == [
        (f["check_id"], f["status"]) for f in report["findings"]
    ]


def test_undecidable_bytes_are_garbled(tmp_path: Path) -> None:
    """Bytes that are text in no encoding, inside a package block, are named as garbled."""
    rec = changed(
        probes.PACKAGES.argv,
        lambda b: b.replace(b"    versionName=2.26.41.74", b"    versionName=2.26\xff\xfe\x9c.74"),
    )
    code, report = scan(tmp_path, rec)
    assert 2 == code
    assert "garbled line (bytes that are not text) (1)" in problems(report)
    assert not ABSENCE & set(statuses(report, "MSG-"))


# --- the same rule for every parser -------------------------------------------------------------

FIND_IMAGES = next(
    c.argv for c in load(ANDROID16).commands if c.argv[0] == "find" and "WhatsApp Images" in c.argv[1]
)


@pytest.mark.parametrize(
    ("argv", "source"),
    [
        (probes.GETPROP.argv, "getprop: garbled output"),
        (probes.USERS.argv, "pm list users: garbled output"),
        (probes.DEVICE_POLICY.argv, "dumpsys device_policy: garbled output"),
        (probes.APP_OPS.argv, "dumpsys appops: garbled output"),
        (probes.BACKUP_ENABLED.argv, "bmgr: garbled output"),
        (probes.BACKUP_TRANSPORTS.argv, "bmgr: garbled output"),
        (FIND_IMAGES, "find: 1 folder listing(s) cannot be whole (garbled output"),
    ],
    ids=lambda v: v if isinstance(v, str) else " ".join(v[:3]) if isinstance(v, tuple) else "-",
)
def test_garbled_output_of_every_parser(tmp_path: Path, argv: tuple[str, ...], source: str) -> None:
    """A NUL and a byte that is no UTF-8, in the middle of a line, make that fact damaged."""

    def damage(data: bytes) -> bytes:
        middle = data.index(b"\n", len(data) // 3) if b"\n" in data[len(data) // 3 :] else len(data) // 2
        return data[: middle - 1] + b"\x00\xfe" + data[middle - 1 :]

    code, report = scan(tmp_path, changed(argv, damage))
    assert 2 == code
    assert source in problems(report)
    assert not report["scan"]["complete"]


def _cut_in_patch_line(data: bytes) -> bytes:
    at = data.index(b"[ro.build.version.security_patch]: [") + len(b"[ro.build.version.security_patch]: [2026-0")
    return data[:at]


@pytest.mark.parametrize(
    ("argv", "change", "source", "family"),
    [
        (probes.GETPROP.argv, _cut_in_patch_line, "getprop: output cut short", "DEV-"),
        (probes.APP_OPS.argv, lambda b: b + b"*** SERVICE 'appops' DUMP TIMEOUT (10000ms) EXPIRED ***\n",
         "dumpsys appops: dumpsys timed out", "MSG-05"),
    ],
    ids=["getprop-cut", "appops-dump-timeout"],
)  # fmt: skip
def test_outputs_that_cannot_be_whole(
    tmp_path: Path, argv: tuple[str, ...], change: Callable[[bytes], bytes], source: str, family: str
) -> None:
    """A phone-side cut (no final newline) or dumpsys's own timeout: the checksum matches (the
    phone sent exactly that), so plausibility names it, and nothing reading it passes."""
    code, report = scan(tmp_path, changed(argv, change))
    assert 2 == code and source in problems(report)
    assert not ABSENCE & set(statuses(report, family))


def test_parse_command_names_damage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`msgscan parse dumpsys-package` of a damaged capture prints what it read, names the
    damage on stderr and exits 2."""
    path = tmp_path / "dump.txt"
    path.write_bytes(b"Packages:\n  Package [a b] (1):\n  Package [com.whatsapp] (2):\n    User 0: installed=t")
    code = main(["parse", "dumpsys-package", str(path)])
    out, err = capsys.readouterr()
    assert 2 == code
    assert [{"id": 0, "installed": None, "runtime_permissions": {}}] == json.loads(out)["packages"][0]["users"]
    assert "package header without a valid name (1)" in err and "'a b'" in err and "line cut short" in err


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (lambda b: b.replace(b"MANAGE_EXTERNAL_STORAGE: mode=allow", b"MANAGE_EXTERNAL_STORAGE: mode=allo"),
         "unreadable mode (1); in 1 op ('MANAGE_EXTERNAL_STORAGE')"),
        (lambda b: b.replace(b"  Uid u0a240:", b"  Uid u0a2$0:"), "Uid header that is no uid (1)"),
    ],
    ids=["unknown-mode", "bad-uid-header"],
)  # fmt: skip
def test_appops_lines_it_cannot_read(tmp_path: Path, change: Callable[[bytes], bytes], shown: str) -> None:
    """All-files access of Total Commander given by a mode the parser cannot read, or under a
    Uid header that is no uid: named, and MSG-05 (who can read the messengers' files) does not
    pass on what is left."""
    code, report = scan(tmp_path, changed(probes.APP_OPS.argv, change))
    assert 2 == code
    assert "dumpsys appops: 1 line could not be read: " + shown in problems(report)
    assert not ABSENCE & set(statuses(report, "MSG-05"))
