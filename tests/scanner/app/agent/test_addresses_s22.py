"""``Addresses`` (session 22): a phone already at its newest address is not written again
(every phone of every round rewrote the whole file: quadratic in the fleet), the file is the
bytes ``json.dumps(indent=1)`` wrote, and which address is a phone's newest is what the order of
the entries says, however addresses move between phones."""

from __future__ import annotations

import json
import random
from pathlib import Path

from scanner.app.agent.addresses import FILE, JOURNAL, Addresses


def _newest(book: dict[str, str], device: str) -> str | None:
    found = [a for a, d in book.items() if d == device]
    return found[-1] if found else None


def test_the_same_answers_as_the_order_of_the_entries(tmp_path: Path) -> None:
    rng = random.Random(22)
    book = Addresses(tmp_path)
    for n in range(400):
        book.remember(f"10.0.0.{rng.randrange(8)}:5555", f"phone-{rng.randrange(5)}")
        for device in (f"phone-{i}" for i in range(6)):
            assert book.address_of(device) == _newest(book.by_address, device)
        again = Addresses(tmp_path)  # the file and the journal replayed over it (session 26)
        assert list(again.by_address.items()) == list(book.by_address.items())
        if n % 7 == 0:  # a round's end: the file is the whole map, the journal folded in
            book.flush()
            text = (tmp_path / FILE).read_text()
            assert text == json.dumps(book.by_address, indent=1) + "\n"
            assert not (tmp_path / JOURNAL).exists()
            assert list(Addresses(tmp_path).by_address.items()) == list(book.by_address.items())


def test_an_unchanged_phone_is_not_written_again(tmp_path: Path) -> None:
    book = Addresses(tmp_path)
    for i in range(3):
        book.remember(f"10.0.0.{i}:5555", f"phone-{i}")
    book.flush()
    path = tmp_path / FILE
    path.write_text("{}\n")  # a write would put the three back
    for i in range(3):
        book.remember(f"10.0.0.{i}:5555", f"phone-{i}")
    book.flush()
    assert path.read_text() == "{}\n"
    assert not (tmp_path / JOURNAL).exists()  # nor was the journal written
    book.remember("10.0.0.0:5555", "phone-1")  # phone-1 answers at phone-0's old address
    assert Addresses(tmp_path).by_address == {"10.0.0.0:5555": "phone-1"}  # journal over "{}"
    book.flush()
    assert json.loads(path.read_text())["10.0.0.0:5555"] == "phone-1"
    assert book.address_of("phone-0") is None and book.address_of("phone-1") == "10.0.0.0:5555"
