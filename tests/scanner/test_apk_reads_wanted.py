"""``apk_reads.package_facts`` for the few packages a scan reads signers of (``wanted``) gives
what the whole parse gives for them: on every real ``dumpsys package`` capture, the constructed
300-package phone, and blocks that repeat (``Hidden system packages:``) or are missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.apk_reads import package_facts
from scanner.recordings.build import large_phone
from scanner.recordings.construct import build

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "android"
CAPTURES = sorted(FIXTURES.rglob("*dumpsys*package*"))


def _texts() -> list[tuple[str, str]]:
    rec = build(large_phone(300, 3), model="Pixel 8", product="shiba", device="shiba")
    large = rec.index()[("dumpsys", "package", "packages")].stdout.decode()
    return [("large", large)] + [(p.name, p.read_text(errors="replace")) for p in CAPTURES]


@pytest.mark.parametrize(("name", "text"), _texts(), ids=lambda v: v if len(v) < 80 else "")
def test_wanted_packages_get_what_the_whole_parse_gives(name: str, text: str) -> None:
    whole = package_facts(text)
    assert whole, name
    wanted = set(whole) | {"com.not.installed", "odd]name"}
    assert package_facts(text, wanted) == whole
    for one in list(whole)[:5]:
        assert package_facts(text, {one}) == {one: whole[one]}


def test_the_first_block_wins_and_a_prefix_is_another_package() -> None:
    text = (
        "Packages:\n"
        "  Package [com.whatsapp.w4b] (1):\n    codePath=/data/app/w4b\n"
        "  Package [com.whatsapp] (2):\n    codePath=/data/app/first\n"
        "Hidden system packages:\n"
        "  Package [com.whatsapp] (3):\n    codePath=/system/app/hidden\n"
    )
    assert package_facts(text, {"com.whatsapp"}) == {"com.whatsapp": ("/data/app/first", ())}
    assert (
        package_facts(text, {"com.whatsapp"})["com.whatsapp"] == package_facts(text)["com.whatsapp"]
    )
    assert package_facts(text, {"com.whats"}) == {}
