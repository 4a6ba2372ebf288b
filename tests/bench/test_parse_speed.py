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
        assert parse_speed.same(a, b)
        assert len(b.packages) >= 250
    assert parse_speed.compare(old, dumpsys_package, samples, 300, seed=7) == 0


def test_old_and_new_tree_are_timed_each_in_its_own_process(tmp_path: Path) -> None:
    """The timed comparison runs the old tree (``git archive``) and the work tree in processes
    of their own, each importing its own parser, and each reads the texts alike."""
    text = (
        "Packages:\n  Package [com.whatsapp] (1):\n    userId=10100\n"
        "    User 0: ceDataInode=1 installed=true\n  Package [b.c] (2):\n    userId=10101\n"
    )
    old, new = parse_speed.trees(parse_speed.BASE, tmp_path, {"text": text})
    try:
        assert old.module.is_relative_to(tmp_path / "old-tree")
        assert new.module.is_relative_to(parse_speed.ROOT)
        assert not new.module.is_relative_to(tmp_path)
        assert old.ask("read", 0) == new.ask("read", 0)
        assert "com.whatsapp" in new.ask("read", 0)
        assert float(old.ask("time", 0)) >= 0 and float(new.ask("time", 0)) >= 0
    finally:
        old.close()
        new.close()
