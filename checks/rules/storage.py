"""What messengers leave in shared storage: chat archives and visible media.

MSG-03 chat-archives, MSG-04 media-autosave (MSG-05 in ``exposure``, MSG-12 in ``backup``).
Storage facts are counts, sizes and dates per catalog folder (``checks.rules._exposure``);
no file name is ever seen or reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import assert_never

from checks.catalog import Archives, Build
from checks.facts import EvidenceKind, FolderSummary, Snapshot, StorageEvidence
from checks.findings import Article, Evidence, Message, Outcome, Severity, Status, say
from checks.rule import Context, check
from checks.rules._common import (
    CATALOG,
    PITFALLS,
    Install,
    collection_failed,
    find_source,
    installs,
    user_msg,
)
from checks.rules._exposure import (
    Look,
    archive_evidence,
    blind_evidence,
    clean_evidence,
    look,
    media_evidence,
)


def _not_collected(snapshot: Snapshot, install: Install, what: Message) -> Outcome:
    """The snapshot holds no evidence for folders the catalog knows: the scan stopped before
    storage (error), or the collector skipped this user (unknown)."""
    root = f"/storage/emulated/{install.user_id}"
    if not snapshot.complete:
        text = say(
            "storage.stopped",
            "{what} of {where} were not collected: the scan stopped early",
            what=what,
            where=user_msg(snapshot, install.user_id),
        )
        return install.outcome(
            Status.ERROR, Evidence.of(text, find_source(root), {"user": install.user_id})
        )
    text = say(
        "storage.not_collected",
        "no storage evidence was collected for {what} of {where}",
        what=what,
        where=user_msg(snapshot, install.user_id),
    )
    return install.outcome(
        Status.UNKNOWN, Evidence.of(text, find_source(root), {"user": install.user_id})
    )


def _blind_status(snapshot: Snapshot, looked: Look) -> Status:
    failed = any(collection_failed(snapshot, reason) for _, reason in looked.blind)
    return Status.ERROR if failed else Status.UNKNOWN


def _uncatalogued(install: Install, what: Message) -> Outcome:
    return install.outcome(
        Status.MANUAL,
        Evidence.of(
            say(
                "storage.uncatalogued",
                "the catalog knows no {what} folder of {label}; check the phone by hand",
                what=what,
                label=install.variant.label,
            ),
            CATALOG,
            {"package": install.name},
        ),
    )


@check(
    id="MSG-03",
    slug="chat-archives",
    title="Chat archives in shared storage",
    severity=Severity.HIGH,
    article=Article(PITFALLS, "Konfiguration: Chatverläufe nicht archivieren"),
    rationale=(
        "The article advises against archiving message histories. A local chat backup is the "
        "whole history in one file in shared storage, where any app with storage access can copy "
        "it; cloud backups put it on a third party's servers."
    ),
    remediation=(
        (
            "WhatsApp: delete old local backups with the Files app in Internal storage > Android > "
            "media > com.whatsapp > WhatsApp > Databases (and WhatsApp > Databases on older "
            "phones); WhatsApp writes one every night, so also keep other apps away from storage "
            "(MSG-05)."
        ),
        (
            "WhatsApp: Settings > Chats > Chat backup > Back up to Google Drive (Google Account): "
            "Never, unless the organisation has approved end-to-end encrypted backups."
        ),
        (
            "Signal: Settings > Chats > Chat backups > Turn off, then delete the signal-*.backup "
            "files or signal-backup-* folders with the Files app."
        ),
        (
            "Threema: delete threema-backup_*.zip files; Threema Work can forbid data backups by "
            "MDM (th_disable_data_backups)."
        ),
        "Wire: look in Download and Documents for backup files saved from Wire and delete them.",
    ),
)
def chat_archives(ctx: Context) -> Iterator[Outcome]:
    """Per messenger install: fail when a catalog archive folder holds files; unknown when a
    folder (or a subfolder of it) could not be read; pass when all were read and are empty or
    absent. Telegram keeps none (not applicable), Wire's have no fixed place (manual). Official
    WhatsApp builds get one more outcome: their Google Drive backup setting is app-private, so
    manual without root (checklist.md: a person reads it in the app and attests it).

    Decision: a variant the catalog has no archive folder for (some mods, internal builds) is
    manual, like Wire: a person has to look.
    """
    snapshot = ctx.snapshot
    found = installs(snapshot)
    if isinstance(found, Outcome):
        yield found
        return
    for install in found:
        match install.messenger.archives:
            case Archives.NONE:
                yield install.outcome(
                    Status.NOT_APPLICABLE,
                    Evidence.of(
                        say(
                            "storage.cloud_chats",
                            "{name} keeps no local chat archive (cloud chats)",
                            name=install.messenger.name,
                        ),
                        CATALOG,
                        {"package": install.name},
                    ),
                )
            case Archives.UNLOCATABLE:
                yield install.outcome(
                    Status.MANUAL,
                    Evidence.of(
                        say(
                            "storage.unlocatable",
                            "{name} backups have no fixed name or folder; check the phone by hand",
                            name=install.messenger.name,
                        ),
                        CATALOG,
                        {"package": install.name},
                    ),
                )
            case Archives.LOCATED:
                yield _archives(snapshot, look(snapshot, install, EvidenceKind.ARCHIVE))
            case _:
                assert_never(install.messenger.archives)
        if install.messenger.whatsapp_family and install.variant.build is Build.OFFICIAL:
            yield install.outcome(
                Status.MANUAL,
                Evidence.of(
                    say(
                        "storage.google_drive",
                        "Google Drive backup is a setting inside {label} that a non-root shell "
                        "cannot read; check in the app: Settings > Chats > Chat backup > Back up "
                        "to Google Drive must be Never (or end-to-end encrypted backup on, if the "
                        "organisation allows it)",
                        label=install.variant.label,
                    ),
                    CATALOG,
                    {"package": install.name, "needs": "root", "attestable": True},
                ),
            )


def _archives(snapshot: Snapshot, looked: Look) -> Outcome:
    return _judge(
        snapshot,
        looked,
        (
            say("storage.what.backup", "chat backup"),
            say("storage.what.backup_folders", "the chat backup folders"),
        ),
        lambda ev, s: archive_evidence(looked.install, ev, s),
    )


def _judge(
    snapshot: Snapshot,
    looked: Look,
    what: tuple[Message, Message],
    evidence: Callable[[StorageEvidence, FolderSummary], Evidence],
) -> Outcome:
    """Fail on anything exposed, unknown where folders were unreadable, pass where all were
    read and clean: the shared verdict of MSG-03 (archives) and MSG-04 (media)."""
    install = looked.install
    if not looked.catalogued:
        return _uncatalogued(install, what[0])
    if not looked.collected:
        return _not_collected(snapshot, install, what[1])
    blind = blind_evidence(looked.blind)
    if looked.exposed:
        return install.outcome(Status.FAIL, *(evidence(ev, s) for ev, s in looked.exposed), *blind)
    if blind:
        return install.outcome(_blind_status(snapshot, looked), *blind)
    return install.outcome(Status.PASS, clean_evidence(looked))


@check(
    id="MSG-04",
    slug="media-autosave",
    title="Messenger media visible in shared storage",
    severity=Severity.MEDIUM,
    article=Article(PITFALLS, "Konfiguration: Anhänge nicht automatisch im Speicher ablegen"),
    rationale=(
        "The article advises against saving messages, above all attachments, to the phone's "
        "storage automatically. Received photos, videos and documents in shared folders without "
        ".nomedia show up in every gallery and can be read by other apps."
    ),
    remediation=(
        (
            "WhatsApp: Settings > Chats > Media visibility: off, and per chat: open the chat > "
            "contact name > Media visibility: No."
        ),
        (
            "WhatsApp: Settings > Storage and data > Media auto-download: No media for mobile "
            "data, Wi-Fi and roaming."
        ),
        (
            "Telegram: Settings > Data and Storage > Save to Gallery: off for private chats, "
            "groups and channels."
        ),
        (
            "Threema: Settings > Media > Save media to gallery: off (Threema Work: MDM key "
            "th_disable_save_to_gallery)."
        ),
        (
            "Then move or delete the files already there with the Files app (e.g. Android > media "
            "> com.whatsapp > WhatsApp > Media > WhatsApp Images, Pictures > Telegram)."
        ),
    ),
)
def media_autosave(ctx: Context) -> Iterator[Outcome]:
    """Per install of a messenger that can save media by itself: fail when a catalog media
    folder holds files without .nomedia; unknown when a folder could not be read; pass when all
    were read and are empty, absent or hidden. Signal and Wire never save media by themselves:
    not applicable.

    Decisions: a folder whose .nomedia state could not be checked counts as visible (only a
    seen .nomedia hides it). A variant without catalog media folders is manual.
    """
    snapshot = ctx.snapshot
    found = installs(snapshot)
    if isinstance(found, Outcome):
        yield found
        return
    for install in found:
        if not install.messenger.autosaves_media:
            yield install.outcome(
                Status.NOT_APPLICABLE,
                Evidence.of(
                    say(
                        "storage.no_autosave",
                        "{name} does not save received media to shared "
                        "storage by itself (copies are made by hand)",
                        name=install.messenger.name,
                    ),
                    CATALOG,
                    {"package": install.name},
                ),
            )
            continue
        yield _media(snapshot, look(snapshot, install, EvidenceKind.MEDIA))


def _media(snapshot: Snapshot, looked: Look) -> Outcome:
    what = (
        say("storage.what.media", "media"),
        say("storage.what.media_folders", "the media folders"),
    )
    return _judge(snapshot, looked, what, media_evidence)
