"""review9: a folder name cannot make a listed folder read as absent.

toybox ``find`` prints a path as it is, newlines included (``perror_msg``: "find: <path>:
<strerror>"), and an app names the folders it creates in its own storage. A subfolder the
shell may not list, named ``x: Permission denied`` NL ``find: <location>: No such file or
directory`` NL ``find: y``, makes find print a line that looks like the location's own "No
such file": the line reader returned absent at that line, and the files listed before it were
gone (MSG-04: exposed media passed). find says "No such file" for the location only when it
cannot stat it, and then lists nothing else: that line next to any other is not an absence.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from checks.evaluate import evaluate
from checks.facts import FolderSummary, Unseen
from checks.findings import Status
from checks.policy import Policy
from scanner.collect import collect
from scanner.parse.storage import parse_find_stat
from scanner.recordings import profiles
from scanner.recordings.construct import Storage, build
from scanner.replay import ReplayTransport

TODAY = date(2026, 11, 26)
IMAGES = "/storage/emulated/0/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images"


def _forged(location: str) -> str:
    return f"x: Permission denied\nfind: {location}: No such file or directory\nfind: y"


def test_the_line_reader_does_not_take_a_forged_location_line_for_absence() -> None:
    listing = f"1795000000 2048\nfind: {IMAGES}/{_forged(IMAGES)}: Permission denied\n"
    got = parse_find_stat(listing, IMAGES, 1)
    assert not (isinstance(got, FolderSummary) and not got.exists), got


def test_the_location_alone_missing_is_still_absent() -> None:
    got = parse_find_stat(f"find: {IMAGES}: No such file or directory\n", IMAGES, 1)
    assert got == FolderSummary(exists=False)


def test_exposed_media_with_a_forged_folder_name_do_not_pass_in_a_replay() -> None:
    s = profiles.dual_messenger_unknown_owner()
    storage = Storage(
        files=((f"{IMAGES}/IMG-1.jpg", 1795000000, 2048),),
        denied=(f"{IMAGES}/{_forged(IMAGES)}",),
    )
    rec = build(dataclasses.replace(s, storage=storage), model="m", product="p", device="d")
    snapshot = collect(ReplayTransport(rec))
    (images,) = [
        e.summary
        for e in snapshot.storage
        if e.user_id == 0 and e.package == "com.whatsapp" and e.location == "scoped.images"
    ]
    assert not (isinstance(images, FolderSummary) and not images.exists), images
    (media,) = [
        f
        for f in evaluate(snapshot, Policy(), today=TODAY)
        if (f.check_id, f.package, f.user_id) == ("MSG-04", "com.whatsapp", 0)
    ]
    assert media.status in (Status.FAIL, Status.UNKNOWN), media
    if isinstance(images, Unseen):
        assert "Permission denied" not in images.reason  # no name quoted (privacy)
