"""bench/parse_speed.py compares the ``dumpsys package`` parser with the one before issue 18's
work (``ad9db04``): both read the 3.8 MB Huawei capture, the 300-package phone's dump and random
variants of both (lines cut, deleted, re-indented, garbled, headers and fields inserted) to the
same packages and damage, so the speed-up in bench/RESULTS.md loses no fact."""

from __future__ import annotations

from pathlib import Path

from bench import parse_speed
from scanner.parse import dumpsys_package


def test_the_new_parser_reads_every_text_as_the_old_one(tmp_path: Path, fixtures_dir: Path) -> None:
    assert fixtures_dir.is_dir()  # the Huawei capture is read from there
    old = parse_speed.old_parser(parse_speed.BASE, tmp_path)
    samples = list(parse_speed.texts().values())
    for text in samples:
        a, b = old.read_dumpsys_package(text), dumpsys_package.read_dumpsys_package(text)
        assert (a.packages, a.damage) == (b.packages, b.damage)
        assert len(b.packages) >= 250
    assert parse_speed.compare(old, dumpsys_package, samples, 300, seed=7) == 0
