"""What one messenger install leaves in shared storage, as MSG-03, MSG-04 and MSG-05 read it.

A ``Look`` sorts the storage evidence of one install and one kind (archives or media) into
folders holding exposed files, folders that could not be read, and folders seen to be clean.
MSG-05 asks the same question MSG-03 and MSG-04 ask, so all three share this one reading.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from checks.catalog import ANY_MEDIA, Archives, Location
from checks.facts import EvidenceKind, FolderSummary, Snapshot, StorageEvidence, Unseen
from checks.findings import Evidence, Message, Outcome, Status, say, say_n
from checks.rules._common import (
    CATALOG,
    Install,
    collection_failed,
    common_source,
    day,
    find_source,
    folder_data,
    has_locations,
    storage_for,
    unreadable_part,
)


@dataclass(frozen=True, slots=True)
class Look:
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


# --- MSG-05: exposed files by kind ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Exposed:
    """Messenger files in one catalog location that some other app might read (MSG-05)."""

    install: Install
    label: Message
    """ "WhatsApp chat backups", "WhatsApp images", "WhatsApp hidden media"."""
    category: str
    """ "chat backup file", "visible media file" or "hidden media file" (evidence wording)."""
    holds: tuple[str, ...]
    needs_all_files: bool
    """Chat backups and media hidden by .nomedia (Sent/, Private/): only all-files access (or
    legacy storage) reaches them; MediaStore skips .nomedia folders."""
    evidence: StorageEvidence
    files: int

    @property
    def owner(self) -> str:
        return self.install.name


_HOLDS: dict[tuple[str, ...], str] = {(kind,): kind for kind in ANY_MEDIA} | {ANY_MEDIA: "media"}
"""Evidence word for what a location holds: "images", …, "media" for a mix."""
_LABELS: dict[str, Callable[[str], Message]] = {
    "chat backups": lambda n: say("exposure.label.chat_backups", "{name} chat backups", name=n),
    "images": lambda n: say("exposure.label.images", "{name} images", name=n),
    "videos": lambda n: say("exposure.label.videos", "{name} videos", name=n),
    "audio": lambda n: say("exposure.label.audio", "{name} audio", name=n),
    "documents": lambda n: say("exposure.label.documents", "{name} documents", name=n),
    "media": lambda n: say("exposure.label.media", "{name} media", name=n),
    "hidden media": lambda n: say("exposure.label.hidden_media", "{name} hidden media", name=n),
}
_CATEGORY: dict[str, Callable[[int], Message]] = {
    "chat backup file": lambda n: say_n(
        "exposure.backup_files", "{n} chat backup file", "{n} chat backup files", n
    ),
    "visible media file": lambda n: say_n(
        "exposure.visible_media_files", "{n} visible media file", "{n} visible media files", n
    ),
    "hidden media file": lambda n: say_n(
        "exposure.hidden_media_files", "{n} hidden media file", "{n} hidden media files", n
    ),
}


def label(name: str, what: str) -> Message:
    """ "WhatsApp images": what one catalog location holds, by the variant's label."""
    return _LABELS[what](name)


def exposed_items(snapshot: Snapshot, group: list[Install]) -> tuple[list[Exposed], list[Look]]:
    """Every exposed location of the user's messenger installs, and every look taken."""
    items: list[Exposed] = []
    looks: list[Look] = []
    for install in group:
        name = install.variant.label
        if install.messenger.archives is Archives.LOCATED:
            lk = look(snapshot, install, EvidenceKind.ARCHIVE)
            looks.append(lk)
            items += [
                Exposed(
                    install, label(name, "chat backups"), "chat backup file", (), True, ev, s.files
                )
                for ev, s in lk.exposed
            ]
        if not install.messenger.autosaves_media:
            continue
        lk = look(snapshot, install, EvidenceKind.MEDIA)
        looks.append(lk)
        for ev, s in lk.exposed:
            loc = location(install, ev)
            holds = loc.holds if loc is not None and loc.holds else ANY_MEDIA
            what = _HOLDS.get(holds, "media")
            items.append(
                Exposed(install, label(name, what), "visible media file", holds, False, ev, s.files)
            )
        hidden = [(ev, s) for ev, s in lk.clean if s.exists and s.files]
        private = look(snapshot, install, EvidenceKind.PRIVATE_MEDIA)
        if private.catalogued:
            looks.append(private)
        for ev, s in [*hidden, *private.exposed]:
            items.append(
                Exposed(
                    install,
                    label(name, "hidden media"),
                    "hidden media file",
                    ANY_MEDIA,
                    True,
                    ev,
                    s.files,
                )
            )
    return items, looks


def exposure_evidence(items: list[Exposed]) -> list[Evidence]:
    """ "WhatsApp: 3 chat backup files in shared storage", one line per install and category."""
    groups: dict[tuple[str, int, str], list[Exposed]] = {}
    for i in items:
        groups.setdefault((i.owner, i.install.user_id, i.category), []).append(i)
    out = []
    for (owner, _, category), group in groups.items():
        files = sum(i.files for i in group)
        out.append(
            Evidence.of(
                say(
                    "exposure.files",
                    "{label}: {files} in shared storage",
                    label=group[0].install.variant.label,
                    files=_CATEGORY[category](files),
                ),
                common_source([i.evidence.path for i in group]),
                {
                    "package": owner,
                    "kind": category,
                    "files": files,
                    "kinds": list(dict.fromkeys(i.label.english() for i in group)),
                },
            )
        )
    return out


def undetermined(
    snapshot: Snapshot, user_id: int, where: Message, looks: list[Look], group: list[Install]
) -> Outcome:
    """Nothing exposed was seen: not applicable if every place was read; unknown (error) where
    places could not be read; manual where the catalog knows no place of a variant."""
    blind = [lk for lk in looks if lk.catalogued and (not lk.collected or lk.blind)]
    if blind:
        return blind_outcome(snapshot, user_id, where, blind)
    unplaced = [
        i.variant.label
        for i in group
        if (
            i.messenger.archives is Archives.LOCATED
            and not has_locations(i.variant, EvidenceKind.ARCHIVE)
        )
        or (i.messenger.autosaves_media and not has_locations(i.variant, EvidenceKind.MEDIA))
    ]
    if unplaced:
        return Outcome(
            Status.MANUAL,
            (
                Evidence.of(
                    say(
                        "exposure.uncatalogued",
                        "the catalog knows no folders of {names}: whether its data lies open in "
                        "shared storage of {where} must be checked by hand",
                        names=list(dict.fromkeys(unplaced)),
                        where=where,
                    ),
                    CATALOG,
                    {"packages": list(dict.fromkeys(unplaced))},
                ),
            ),
            user_id=user_id,
        )
    return Outcome(
        Status.NOT_APPLICABLE,
        (
            Evidence.of(
                say(
                    "exposure.none",
                    "no messenger data found in shared storage of {where}",
                    where=where,
                ),
                common_source([f"/storage/emulated/{user_id}"]),
                {"user": user_id},
            ),
        ),
        user_id=user_id,
    )


def blind_outcome(snapshot: Snapshot, user_id: int, where: Message, blind: list[Look]) -> Outcome:
    evidence = []
    failed = False
    for lk in blind:
        label = _KIND_WORD[lk.kind](lk.install.variant.label)
        if not lk.collected:
            failed = failed or not snapshot.complete
            evidence.append(
                Evidence.of(
                    say(
                        "exposure.folders_not_collected", "{folders}: not collected", folders=label
                    ),
                    find_source(f"/storage/emulated/{user_id}"),
                    {"package": lk.install.name},
                )
            )
            continue
        failed = failed or any(collection_failed(snapshot, r) for _, r in lk.blind)
        first = lk.blind[0][1].reason
        evidence.append(
            Evidence.of(
                say(
                    "exposure.folders_unreadable",
                    "{folders}: {unread} of {total} could not be read ({reason:reason})",
                    folders=label,
                    unread=len(lk.blind),
                    total=len(lk.blind) + len(lk.clean) + len(lk.exposed),
                    reason=first,
                ),
                common_source([ev.path for ev, _ in lk.blind]),
                {"package": lk.install.name, "unreadable": len(lk.blind)},
            )
        )
    evidence.insert(
        0,
        Evidence.of(
            say(
                "exposure.undetermined",
                "could not tell whether messenger data lies in shared storage of {where}",
                where=where,
            ),
            find_source(f"/storage/emulated/{user_id}"),
            {"user": user_id},
        ),
    )
    return Outcome(Status.ERROR if failed else Status.UNKNOWN, tuple(evidence), user_id=user_id)


_KIND_WORD: dict[EvidenceKind, Callable[[str], Message]] = {
    EvidenceKind.ARCHIVE: lambda n: say(
        "exposure.archive_folders", "{label} archive folders", label=n
    ),
    EvidenceKind.MEDIA: lambda n: say("exposure.media_folders", "{label} media folders", label=n),
    EvidenceKind.PRIVATE_MEDIA: lambda n: say(
        "exposure.hidden_media_folders", "{label} hidden media folders", label=n
    ),
}
