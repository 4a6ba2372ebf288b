"""A ``Package [`` block of the common layout is read whole (``_Reader._whole_block``: a few
C-level searches over the block), every other block line by line (``_Reader.lines``). Both
readings must give the same packages and the same damage, line numbers included, on every
text: the real captures, a simulated phone (60 packages, 3 users), and variants of them in
which most blocks stay whole and a few get the edits the whole-block reading must notice and
hand to the line reader (blank and re-indented lines, trailing blanks, U+FFFD, unreadable
values, a second ``User N:`` line, ``installReason=`` at the fields' indent, a shared user, an
``overlay paths:`` line, a cut last line, a second output).

The line reader itself is pinned by the other tests of this folder and compared with the
parser before issue 18 in tests/bench/test_parse_speed.py.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

import pytest

from scanner.parse import dumpsys_package
from scanner.parse.dumpsys_package import Listing, read_dumpsys_package
from scanner.parse.text import decode
from scanner.recordings.build import large_phone
from scanner.recordings.construct import build

CAPTURES = (
    "isdi-huawei-frd-android7/dumpsys-all.txt",
    "tekartik-wearos-android11/dumpsys-package-1.txt",
    "tekartik-wearos-android11/dumpsys-package-2.txt",
    "appium-android7/dumpsys-package-com.example.testapp.first.txt",
)

_EDITS = (
    "", "    ", "      \t", "\r", "   ", "  ", "    \r",
    "    installReason=3", "    User 0: ceDataInode=7 installed=false hidden=true enabled=3",
    "    User 10: installed=true", "    User 0: installed=t", "    User 99999999: installed=true",
    "      runtime permissions:", "        a.b.C: granted=true", "        a.b.D: granted=maybe",
    "      a.b.E: granted=false, userId=10", "      firstInstallTime=2021-05-01 10:00:00",
    "      firstInstallTime=2021-13-01", "    firstInstallTime=2020-02-02 02:02:02",
    "    sharedUser=SharedUserSetting{1 a.b/10001}", "    versionCode=12a targetSdk=30",
    "    versionCode=5 minSdk=1 targetSdk=3x", "    userId=1x", "    appId=10500",
    "    flags=[ SYSTEM ALLOW_BACKUP ]", "    installerPackageName=\ufffd",
    "    install permissions:", "    declared permissions:", "      gids=[3003]",
    "x overlay paths:", "  y overlay paths:", "  Package [bad name] (1):", "   userId=5",
    "  Package [com.whatsapp] (2):", "Shared users:", "  SharedUser [a.b] (1):",
    "DUMP OF SERVICE activity:", "    User 0: \ufffd", "     hidden=true", "\ufffd",
)  # fmt: skip


def _line_by_line(monkeypatch: pytest.MonkeyPatch, text: str, **options: str | None) -> Listing:
    with monkeypatch.context() as patch:
        patch.setattr(dumpsys_package, "_FAST", False)
        return read_dumpsys_package(text, **options)


def _whole_blocks_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count, from now on, the blocks ``_whole_block`` reads whole."""
    count = [0]
    whole = dumpsys_package._Reader._whole_block

    def counted(self: dumpsys_package._Reader, *args: object) -> bool:
        done = whole(self, *args)  # type: ignore[arg-type]
        count[0] += done
        return done

    monkeypatch.setattr(dumpsys_package._Reader, "_whole_block", counted)
    return count


@pytest.fixture(scope="module")
def simulated() -> str:
    rec = build(large_phone(60, 3), model="Pixel 8", product="shiba", device="shiba")
    [listing] = [c for c in rec.commands if " ".join(c.argv) == "dumpsys package packages"]
    return decode(listing.stdout)


@pytest.fixture(scope="module")
def texts(fixtures_dir: Path, simulated: str) -> list[str]:
    return [decode((fixtures_dir / name).read_bytes()) for name in CAPTURES] + [simulated]


def test_the_simulated_phone_is_read_in_whole_blocks(
    simulated: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = _whole_blocks_read(monkeypatch)
    fed: list[str] = []
    lines = dumpsys_package._Reader.lines

    def counted(self: dumpsys_package._Reader, batch: Iterable[str]) -> None:
        batch = list(batch)
        fed.extend(batch)
        lines(self, batch)

    monkeypatch.setattr(dumpsys_package._Reader, "lines", counted)
    listing = read_dumpsys_package(simulated)
    assert len(listing.packages) == 60
    assert count[0] == 59  # the last block runs into the end of the output: line by line
    assert len(fed) < 100  # of 3,500 lines
    assert listing == _line_by_line(monkeypatch, simulated)


@pytest.mark.parametrize("name", CAPTURES)
def test_captures_read_alike(
    name: str, fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = decode((fixtures_dir / name).read_bytes())
    count = _whole_blocks_read(monkeypatch)
    for package in (None, "com.example.testapp.first"):
        fast = read_dumpsys_package(text, package=package)
        slow = _line_by_line(monkeypatch, text, package=package)
        assert fast == slow
        assert fast.packages
    if name.startswith("isdi"):
        assert count[0] >= 2 * 250  # both readings, all but the last block of each


def _variant(rng: random.Random, text: str) -> str:
    """A run of whole blocks of ``text`` with up to three edits (``_EDITS`` inserted, a line
    re-indented, cut, given trailing blanks or U+FFFD), maybe cut inside its last line."""
    lines = text.split("\n")
    heads = [i for i, line in enumerate(lines) if line.startswith("  Package [")]
    start = rng.choice(heads) if heads else 0
    part = lines[start : start + rng.randrange(20, 700)]
    if rng.random() < 0.5:
        part.insert(0, "Packages:")
    for _ in range(rng.randrange(4)):
        j, op = rng.randrange(len(part)), rng.randrange(6)
        if op == 0:
            part.insert(j, rng.choice(_EDITS))
        elif op == 1:
            part[j] = " " * rng.randrange(7) + part[j].lstrip()
        elif op == 2:
            part[j] += rng.choice((" ", "\r", "\t", "\ufffd", "  \r"))
        elif op == 3:
            part[j] = part[j][: rng.randrange(len(part[j]) + 1)]
        elif op == 4:
            del part[j]
        else:
            part[j] = part[j].replace("true", "tru", 1)
    return "\n".join(part) + rng.choice(("", "\n", "\n", "\n"))


@pytest.mark.parametrize("seed", range(3))
def test_variants_read_alike(seed: int, texts: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    count = _whole_blocks_read(monkeypatch)
    damaged = 0
    for _ in range(120):
        text = _variant(rng, rng.choice(texts))
        then = _variant(rng, rng.choice(texts)) if rng.random() < 0.2 else None
        package = rng.choice((None, "com.xxx"))
        fast = read_dumpsys_package(text, package=package, then=then)
        slow = _line_by_line(monkeypatch, text, package=package, then=then)
        assert fast == slow, text
        damaged += bool(fast.damage)
    assert count[0] > 250  # many blocks of the variants are read whole
    assert damaged > 15  # and many variants hold damage the line reader noted


@pytest.mark.parametrize("edit", _EDITS)
@pytest.mark.parametrize("where", [1, 3, 6, 12, -2, -1])
def test_every_edit_at_every_place_reads_alike(
    edit: str, where: int, simulated: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three whole blocks (an app with runtime grants among them), the edit inserted at one
    line of the middle one: the same packages and damage either way."""
    lines = simulated.split("\n")
    heads = [i for i, line in enumerate(lines) if line.startswith("  Package [")]
    first = heads[-4]
    block = lines[heads[-3] : heads[-2]]
    block.insert(where if where > 0 else len(block) + where, edit)
    text = "\n".join(["Packages:", *lines[first : heads[-3]], *block, *lines[heads[-2] :]])
    fast = read_dumpsys_package(text)
    assert fast == _line_by_line(monkeypatch, text)


@pytest.mark.parametrize(
    "under",
    [
        "      lastDisabledCaller: com.android.vending\n"
        "        firstInstallTime=2020-02-02 02:02:02",  # no "=", no ":" at its end: no list
        "      flags=a:\n        firstInstallTime=2020-02-02 02:02:02",  # "=" and ":": no list
        "      overlay paths:\n        firstInstallTime=2020-02-02 02:02:02",  # a skipped list
        "      runtime permissions:\n        a.b.C: granted=true\n           a.b.D: granted=false",
        "      runtime permissions:\n       a.b.C: granted=true\n      a.b.D: granted=true",
        "      firstInstallTime=2020-02-02 02:02:02\n    installReason=0\n"
        "      runtime permissions:\n        a.b.C: granted=false",
    ],
)
def test_a_users_odd_lines_read_alike(under: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines under a ``User N:`` line that AOSP does not print so, read whole as line by line:
    a line is a list header only when it ends with ":" and holds no "="; a list's rows are
    the lines deeper than its header; ``installReason=`` at the fields' indent keeps the user."""
    text = (
        "Packages:\n  Package [com.whatsapp] (1):\n    userId=10100\n"
        "    User 0: ceDataInode=1 installed=true hidden=false suspended=false enabled=0\n"
        f"{under}\n  Package [com.after] (2):\n    userId=10101\n"
    )
    count = _whole_blocks_read(monkeypatch)
    fast = read_dumpsys_package(text)
    assert count[0] == 1  # com.whatsapp, read whole
    assert fast == _line_by_line(monkeypatch, text)


@pytest.mark.parametrize("last", ["", " ", "  ", "   ", "    ", " x", "  x", "   x", "    x", "\t"])
@pytest.mark.parametrize("then", [None, "    userId=5\n"])
def test_a_short_line_after_the_last_header_is_read_without_error(
    last: str, then: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A header followed by a line shorter than the fields' indent at the end of an output (a
    dump cut there) is read as the line reader reads it, never an error."""
    for ending in ("\n", ""):
        text = f"Packages:\n  Package [com.whatsapp] (1):\n{last}{ending}"
        fast = read_dumpsys_package(text, then=then)
        assert [p.name for p in fast.packages] == ["com.whatsapp"]
        assert fast == _line_by_line(monkeypatch, text, then=then)
