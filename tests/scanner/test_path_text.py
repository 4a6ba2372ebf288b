"""``scanner.files.path_text``: the text ``str(pathlib.Path(p))`` gives, without pathlib (a
replay's ``--replay FILE`` and ``read_regular`` of a text path use it; bench/RESULTS.md,
"Start-up", session 24). Compared with pathlib itself on every sample."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks.errors import UsageError
from scanner.files import LIMIT_RECORDING, path_text, read_regular

ROOT = Path(__file__).resolve().parents[2]
A16 = ROOT / "scanner" / "recordings" / "android16-personal-whatsapp-telegram.json"

SAMPLES = [
    "", ".", "..", "/", "//", "///", "////", "./", "/.", "//.", "/./", "a", "a/", "a//", "a/.",
    "./a", ".//a", "a/./b", "a//b", "a/../b", "/a/b/", "//a", "//a//b/", "///a", "/..", "...",
    ".a", "a.", "a/.b/", " ", " /", "a /b", "\\", "a\\b", "é/ü", "a\udcff/b", "a\x00b", "~/x",
    "-", "--replay", "./-a", "C:\\x", "//./a", "/./../.",
]


@pytest.mark.parametrize("value", SAMPLES)
def test_path_text_is_pathlib_s(value: str) -> None:
    assert str(Path(value)) == path_text(value)


@given(st.text(alphabet="/.ab\\ \x00é", max_size=24))
def test_path_text_is_pathlib_s_on_any_mix_of_slashes_and_dots(value: str) -> None:
    assert str(Path(value)) == path_text(value)


@given(st.text(max_size=40))
def test_path_text_is_pathlib_s_on_any_text(value: str) -> None:
    assert str(Path(value)) == path_text(value)


@pytest.mark.parametrize("given_as", ["missing.json", "./x//missing.json", "x/./missing.json/"])
def test_read_regular_names_a_text_path_as_its_path(given_as: str, tmp_path: Path) -> None:
    """A path given as text is opened and named as ``Path(text)`` would be, here a missing file
    in a folder; a ``Path`` as before."""
    (tmp_path / "x").mkdir()
    messages = []
    for path in (given_as, Path(given_as)):
        with pytest.raises(UsageError) as raised:
            read_regular(str(path) if isinstance(path, str) else path, what="the recording",
                         limit=LIMIT_RECORDING, hint="h")
        messages.append(str(raised.value))
    assert messages[0] == messages[1]
    assert messages[0].startswith(f"{Path(given_as)}: no such file")


def test_read_regular_opens_a_text_path_as_pathlib_would(tmp_path: Path) -> None:
    """``rec.json/`` and ``./rec.json`` open the file, as ``Path`` made them (no trailing slash
    reaches the system, which would refuse it as not a directory); ``""`` is the folder ``.``."""
    (tmp_path / "rec.json").write_bytes(b"{}")
    for text in (f"{tmp_path}/rec.json/", f"{tmp_path}//./rec.json", f"{tmp_path}/rec.json/."):
        assert read_regular(text, what="the recording", limit=1 << 20, hint="h") == b"{}"
    with pytest.raises(UsageError, match=r"^\.: the recording must be a regular file, but this"):
        read_regular("", what="the recording", limit=1 << 20, hint="h")


def run(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanner.app.cli", *argv],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )


def test_a_replay_of_a_path_with_dots_and_slashes_is_the_replay_of_the_file() -> None:
    """``--replay`` with ``./``, ``//`` and a trailing slash scans the recording, as before; a
    missing one is named as pathlib names it, exit 2."""
    plain = run("scan", "--replay", str(A16), cwd=ROOT)
    odd = run("scan", "--replay", f"./{A16.relative_to(ROOT).parent}//./{A16.name}/", cwd=ROOT)
    assert plain.returncode == odd.returncode
    assert plain.stdout.splitlines()[1:] == odd.stdout.splitlines()[1:]  # the first: id, time
    assert "WhatsApp" in plain.stdout
    missing = run("scan", "--replay", ".//scanner/recordings/./none.json/", cwd=ROOT)
    assert missing.returncode == 2
    assert "scanner/recordings/none.json: no such file (the recording)" in missing.stderr
