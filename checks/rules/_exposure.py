"""What one messenger install leaves in shared storage, as MSG-03, MSG-04 and MSG-05 read it.

A ``Look`` sorts the storage evidence of one install and one kind (archives or media) into
folders holding exposed files, folders that could not be read, and folders seen to be clean.
MSG-05 asks the same question MSG-03 and MSG-04 ask, so all three share this one reading.
"""

from __future__ import annotations

from msgspec import Struct, field

from checks.catalog import Location
from checks.facts import EvidenceKind, FolderSummary, Snapshot, StorageEvidence, Unseen
from checks.findings import Evidence, Message, say, say_n
from checks.rules._common import (
    Install,
    common_source,
    day,
    find_source,
    folder_data,
    has_locations,
    storage_for,
    unreadable_part,
)


class Look(Struct, frozen=True):
    """Storage evidence of one install for one kind, sorted."""

    install: Install
    kind: EvidenceKind
    catalogued: bool
    """The catalog knows at least one folder of this kind for the variant."""
    collected: bool
    """The snapshot holds evidence for those folders (False: storage was never looked at)."""
    exposed: tuple[tuple[StorageEvidence, FolderSummary], ...] = ()
    """Archives with files, or media folders with files and no ``.nomedia``."""
    blind: tuple[tuple[StorageEvidence, Unseen], ...] = ()
    """Folders (or parts of them) the shell could not read, with nothing exposed found there."""
    clean: tuple[tuple[StorageEvidence, FolderSummary], ...] = field(default=())
    """Folders read in full: absent, empty or (media) hidden by ``.nomedia``."""

    @property
    def files(self) -> int:
        return sum(s.files for _, s in self.exposed)


def look(snapshot: Snapshot, install: Install, kind: EvidenceKind) -> Look:
    if not has_locations(install.variant, kind):
        return Look(install, kind, catalogued=False, collected=False)
    found = storage_for(snapshot, install, kind)
    if not found:
        return Look(install, kind, catalogued=True, collected=False)
    exposed, blind, clean = [], [], []
    for ev in found:
        summary = ev.summary
        if isinstance(summary, Unseen):
            blind.append((ev, summary))
        elif summary.files and (kind is EvidenceKind.ARCHIVE or summary.nomedia is not True):
            exposed.append((ev, summary))
        elif (part := unreadable_part(summary)) is not None:
            blind.append((ev, part))
        else:
            clean.append((ev, summary))
    return Look(install, kind, True, True, tuple(exposed), tuple(blind), tuple(clean))


def location(install: Install, ev: StorageEvidence) -> Location | None:
    return next((loc for loc in install.variant.locations if loc.id == ev.location), None)


def _where(ev: StorageEvidence, loc: Location | None) -> Message:
    if loc is not None and loc.depth is None:
        return say("storage.path_and_below", "{path} and below", path=ev.path)
    return say("storage.path", "{path}", path=ev.path)


def archive_evidence(install: Install, ev: StorageEvidence, s: FolderSummary) -> Evidence:
    """ "3 chat backup files (msgstore*.db.crypt*), 150.2 MiB, newest 2026-11-20, in <path>"."""
    loc = location(install, ev)
    values = {
        "size": s.total_bytes,
        "newest": day(s.newest) if s.newest else None,
        "where": _where(ev, loc),
    }
    if loc is not None and loc.dirs:
        what = say_n(
            "storage.backup_folders", "{n} chat backup folder", "{n} chat backup folders", s.files
        )
    else:
        what = say_n(
            "storage.backup_files", "{n} chat backup file", "{n} chat backup files", s.files
        )
    if loc is not None and loc.pattern:
        message = say(
            "storage.archive_pattern",
            "{what} ({pattern}), {size:size}, newest {newest:date}, in {where}",
            what=what,
            pattern=loc.pattern,
            **values,
        )
    else:
        message = say(
            "storage.archive",
            "{what}, {size:size}, newest {newest:date}, in {where}",
            what=what,
            **values,
        )
    return Evidence.of(
        message,
        find_source(ev.path),
        {"location": ev.location, "path": ev.path, **folder_data(s)},
    )


def _nomedia(s: FolderSummary) -> Message:
    if s.nomedia is None:
        return say("storage.nomedia_unchecked", ".nomedia not checked")
    if s.nomedia:
        return say("storage.nomedia_present", ".nomedia present")
    return say("storage.nomedia_absent", "no .nomedia")


def media_evidence(ev: StorageEvidence, s: FolderSummary) -> Evidence:
    """ "37 files in WhatsApp Images, newest 2026-11-20, no .nomedia" (folder named by catalog)."""
    folder = ev.path.rstrip("/").rsplit("/", 1)[-1]
    message = say_n(
        "storage.media",
        "{n} file in {folder}, newest {newest:date}, {nomedia}",
        "{n} files in {folder}, newest {newest:date}, {nomedia}",
        s.files,
        folder=folder,
        newest=day(s.newest) if s.newest else None,
        nomedia=_nomedia(s),
    )
    return Evidence.of(
        message,
        find_source(ev.path),
        {"location": ev.location, "path": ev.path, **folder_data(s)},
    )


def blind_evidence(blind: tuple[tuple[StorageEvidence, Unseen], ...]) -> list[Evidence]:
    """One line per unreadable folder; folders failing for the same cause share one line when
    there are more than two (a work profile's storage makes a dozen identical lines)."""
    if len(blind) <= 2:
        return [
            Evidence.of(
                say("storage.unreadable", "could not be read: {reason:reason}", reason=r.reason)
                if ev.path in r.reason
                else say(
                    "storage.path_unreadable",
                    "{path} could not be read: {reason:reason}",
                    path=ev.path,
                    reason=r.reason,
                ),
                find_source(ev.path),
                {"location": ev.location, "path": ev.path, "reason": r.reason},
            )
            for ev, r in blind
        ]
    groups: dict[str, list[tuple[StorageEvidence, Unseen]]] = {}
    for ev, r in blind:
        groups.setdefault(r.reason.replace(ev.path, "").rstrip(": ") or r.reason, []).append(
            (ev, r)
        )
    out = []
    for cause, items in groups.items():
        paths = [ev.path for ev, _ in items]
        out.append(
            Evidence.of(
                say_n(
                    "storage.folders_unreadable",
                    "{n} folder could not be read ({reason:reason}), e.g. {path}",
                    "{n} folders could not be read ({reason:reason}), e.g. {path}",
                    len(items),
                    reason=cause,
                    path=paths[0],
                ),
                common_source(paths),
                {"paths": paths, "reason": cause},
            )
        )
    return out


def clean_evidence(looked: Look) -> Evidence:
    """One line for every folder read in full."""
    absent = sum(1 for _, s in looked.clean if not s.exists)
    hidden = sum(1 for _, s in looked.clean if s.exists and s.files)
    empty = len(looked.clean) - absent - hidden
    paths = [ev.path for ev, _ in looked.clean]
    data = {"folders": len(looked.clean), "empty": empty, "absent": absent, "hidden": hidden}
    n = len(looked.clean)
    if looked.kind is EvidenceKind.ARCHIVE:
        message = say_n(
            "storage.no_archives",
            "no chat backups in {n} place looked at ({absent} absent)",
            "no chat backups in {n} places looked at ({absent} absent)",
            n,
            absent=absent,
        )
    else:
        message = say_n(
            "storage.no_media",
            "no visible media in {n} folder looked at: {empty} empty, {absent} absent, {hidden} "
            "hidden by .nomedia",
            "no visible media in {n} folders looked at: {empty} empty, {absent} absent, {hidden} "
            "hidden by .nomedia",
            n,
            empty=empty,
            absent=absent,
            hidden=hidden,
        )
    return Evidence.of(message, common_source(paths), data)
