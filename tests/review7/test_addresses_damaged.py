"""Review 7: the agent's ``addresses.json`` promises "a damaged file is ignored and rebuilt";
one nested too deep for Python's parser raised RecursionError when the agent started."""

from __future__ import annotations

from pathlib import Path

from scanner.app.agent.addresses import FILE, Addresses


def test_a_deeply_nested_file_is_ignored(tmp_path: Path) -> None:
    (tmp_path / FILE).write_text("[" * 200_000 + "]" * 200_000)
    addresses = Addresses(tmp_path)
    assert addresses.by_address == {}
    addresses.remember("10.0.0.5:5555", "PHONE1")
    assert Addresses(tmp_path).device_at("10.0.0.5:5555") == "PHONE1"
