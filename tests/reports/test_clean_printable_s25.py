"""``reports.render.text.clean`` returns a printable line as it is, without compiling its
patterns (bench/RESULTS.md, "Start-up", session 25: 4 M instructions of a replay): no character
``str.isprintable`` accepts is one the patterns remove or an escape sequence's first."""

from __future__ import annotations

import re
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from reports.render import text
from reports.render.controls import escapes
from tests.scanner.app.cli.test_startup import A16, ROOT, run_main

BLANKS, CONTROLS = re.compile(text._BLANKS), re.compile(text._CONTROLS)


def reference(line: str) -> str:
    """What ``clean`` did before: the three patterns, always."""
    return CONTROLS.sub("", BLANKS.sub(" ", escapes().sub("", line)))


def test_no_printable_character_is_one_the_patterns_touch() -> None:
    touched = [
        cp
        for cp in range(sys.maxunicode + 1)
        if chr(cp).isprintable()
        and (BLANKS.search(chr(cp)) or CONTROLS.search(chr(cp)) or escapes().match(chr(cp)))
    ]
    assert touched == []
    assert not "\x1b".isprintable() and not "\x9b".isprintable()  # every escape's first


SAMPLES = [
    "",
    "plain ASCII line",
    "Käse — “quotes” ✓ 中文",
    "tab\there",
    "new\nline\r\n",
    "\x1b[31mred\x1b[0m",
    "\x9b31mred",
    "\x1b]0;title\x07after",
    "bidi\u202eevil\u2066",
    "zero\u200bwidth\ufeff",
    "next line\x85and\u2028sep\u2029",
    "del\x7f and c1\x90",
    "\u061carabic mark",
]


def test_clean_is_the_three_patterns_on_samples() -> None:
    for line in SAMPLES:
        assert text.clean(line) == reference(line), repr(line)


@given(
    st.text(alphabet=st.sampled_from("ab \t\n\r\x1b\x9b[]0;m\x07\\\x85\u2028\u200b\u202e\ufeffé✓"))
)
def test_clean_is_the_three_patterns_on_mixtures(line: str) -> None:
    assert text.clean(line) == reference(line)


@given(st.text())
def test_clean_is_the_three_patterns_on_any_text(line: str) -> None:
    assert text.clean(line) == reference(line)


def test_a_replay_s_text_report_compiles_neither_pattern() -> None:
    probe = (
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n{run_main('scan', '--replay', str(A16))}"
        "from reports.render import text, controls\n"
        "print(text._patterns.cache_info().misses, controls.escapes.cache_info().misses)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, check=True, capture_output=True, text=True
    )
    assert out.stdout.split() == ["0", "0"]
    dirty = text.clean("\x1b[1mbold\x1b[0m\tand\u200b")
    assert dirty == "bold and" and text._patterns.cache_info().currsize == 1
