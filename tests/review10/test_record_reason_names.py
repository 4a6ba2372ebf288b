"""review10: ``msgscan record`` kept a folder's name in the reason of find's error line.

review9 cut each path in find's error lines to its location (``scrub_find_stat``) but kept the
words after the path (``Permission denied``) as they came. A subfolder named with a newline
(``Vertrag: Anna Schmidt`` + newline + ``x``) makes find print ``find: <folder>/Vertrag: Anna
Schmidt`` on a line of its own: to the line reader the name's tail is the reason, and the
recording stored "Anna Schmidt". Now a reason is kept only when it is one of bionic's strerror
texts; any other becomes ``reason removed`` (the listing still reads as the raw one did).
"""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.app.record import record
from scanner.parse.storage import parse_find_stat, scrub_find_stat
from scanner.recordings import profiles
from scanner.recordings.construct import Storage, build
from scanner.replay import ReplayTransport

DOCS = "/storage/emulated/0/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Documents"


def _recorded(denied: str) -> bytes:
    s = profiles.dual_messenger_unknown_owner()
    storage = Storage(files=((f"{DOCS}/a.pdf", 1795000000, 2048),), denied=(f"{DOCS}/{denied}",))
    rec = build(dataclasses.replace(s, storage=storage), model="m", product="p", device="d")
    raw = b"".join(c.stdout + c.stderr for c in rec.commands)
    assert b"Anna Schmidt" in raw  # the simulated phone's find printed the name
    recorded, _ = record(ReplayTransport(rec))
    return b"".join(c.stdout + c.stderr for c in recorded.commands)


def test_a_name_with_a_newline_is_not_kept_as_the_reason() -> None:
    assert b"Anna Schmidt" not in _recorded("Vertrag: Anna Schmidt\nx")


def test_a_name_forging_the_locations_own_line_is_not_kept() -> None:
    assert b"Anna Schmidt" not in _recorded(f"\nfind: {DOCS}: Anna Schmidt\nx")


NAME = st.lists(st.sampled_from(["Anna", "Schmidt", " ", ": ", "\n", "/", "find: /a"]),
                min_size=1, max_size=8).map("".join)  # fmt: skip
PIECES = ["1795197600 150000\n", "find: /a: No such file or directory\n", "\n",
          "find: /a: Permission denied\n", "find: /a: Required key not available\n",
          "find: /a: Some other trouble\n"]  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), NAME.map(lambda n: f"find: /a/{n}: "
                                                                     "Permission denied\n")),
                max_size=6), st.sampled_from([0, 1, None]))  # fmt: skip
def test_no_word_of_a_name_survives_and_the_listing_reads_the_same(
    pieces: list[str], code: int | None
) -> None:
    text = "".join(pieces)
    for path in ("/a", "/a/"):
        scrubbed = scrub_find_stat(text, path)
        assert parse_find_stat(scrubbed, path, code) == parse_find_stat(text, path, code)
        assert "Anna" not in scrubbed and "Schmidt" not in scrubbed
        assert scrub_find_stat(scrubbed, path) == scrubbed


def test_the_locations_own_line_alone_keeps_the_phones_words() -> None:
    """Alone, the location's line is the phone's own (a name always brings more lines)."""
    for line in ("find: /a: Some other trouble\n", "find: /a/: Permission denied\n"):
        assert scrub_find_stat(line, "/a") == line
    assert scrub_find_stat("find: /a: Some other trouble\n1 2\n", "/a") == (
        "find: /a: reason removed\n1 2\n"
    )
