"""MSG-05's exposure: the messenger files in shared storage, by kind, that other apps might read.

Built on the looks of MSG-03 and MSG-04 (``checks.rules._exposure.look``). Private to
``checks.rules``; pure.
"""

from __future__ import annotations

from collections.abc import Callable

from msgspec import Struct

from checks.catalog import ANY_MEDIA, Archives
from checks.facts import EvidenceKind, Snapshot, StorageEvidence
from checks.findings import Evidence, Message, Outcome, Status, say, say_n
from checks.rules._common import (
    CATALOG,
    Install,
    collection_failed,
    common_source,
    find_source,
    has_locations,
)
from checks.rules._exposure import Look, location, look


class Exposed(Struct, frozen=True):
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
