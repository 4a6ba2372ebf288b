"""review9: ``msgscan record``'s claim "Storage probes print only dates and sizes, never file
names" (scanner/app/record.py, README privacy): find prints the path of each subfolder it may not
list ("find: <path>: Permission denied"), and stat the path of a file gone before it got to it;
the recording kept the listing raw, so a folder's name (a person's, a chat's) was stored. Now
each such path is cut to its location (``parse.storage.scrub_find_stat``), and the scrubbed
listing reads as the raw one did."""

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


def test_a_recording_keeps_no_subfolder_name() -> None:
    s = profiles.dual_messenger_unknown_owner()
    storage = Storage(
        files=((f"{DOCS}/a.pdf", 1795000000, 2048),), denied=(f"{DOCS}/Anna Schmidt",)
    )
    rec = build(dataclasses.replace(s, storage=storage), model="m", product="p", device="d")
    recorded, _ = record(ReplayTransport(rec))
    kept = b"".join(c.stdout + c.stderr for c in recorded.commands)
    assert b"Permission denied" in kept  # the listing with the refused subfolder was recorded
    assert b"Anna Schmidt" not in kept


PIECES = ["1795197600 150000\n", "1 2", "\n", "\r\n", " ", "253402300800 5\n", "\u2028", "x",
          "find: /a: No such file or directory\n", "find: /a: Permission denied\n",
          "find: /a/Anna: Permission denied\n", "stat: /a/b.pdf: No such file or directory\n",
          "find: /a/x\nfind: /a: No such file or directory\nfind: y: Permission denied\n",
          "inaccessible or not found\n", "find: /other: Permission denied\n"]  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=10), st.sampled_from([0, 1, None]))
def test_a_scrubbed_listing_reads_as_the_raw_one(pieces: list[str], code: int | None) -> None:
    text = "".join(pieces)
    for path in ("/a", "/a/"):
        scrubbed = scrub_find_stat(text, path)
        assert parse_find_stat(scrubbed, path, code) == parse_find_stat(text, path, code)
        assert "Anna" not in scrubbed and "b.pdf" not in scrubbed and "y:" not in scrubbed
        assert scrub_find_stat(scrubbed, path) == scrubbed
