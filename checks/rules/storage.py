"""What messengers leave where other apps can read it, and what Android's backup copies.

MSG-03 chat-archives, MSG-04 media-autosave, MSG-05 storage-exposure, MSG-12 system-backup.
Storage facts are counts, sizes and dates per catalog folder (``checks.rules._exposure``);
no file name is ever seen or reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import assert_never

from checks.catalog import Archives, Build
from checks.facts import EvidenceKind, FolderSummary, Snapshot, StorageEvidence, Unseen
from checks.findings import BEYOND, Article, Evidence, Outcome, Severity, Status
from checks.rule import Context, check
from checks.rules._common import (
    BACKUP,
    CATALOG,
    PACKAGES,
    PITFALLS,
    TRANSPORTS,
    Install,
    collection_failed,
    find_source,
    installs,
    unseen,
    user_label,
)
from checks.rules._exposure import (
    Look,
    archive_evidence,
    blind_evidence,
    clean_evidence,
    look,
    media_evidence,
)
from checks.rules._readers import exposure


def _not_collected(snapshot: Snapshot, install: Install, what: str) -> Outcome:
    """The snapshot holds no evidence for folders the catalog knows: the scan stopped before
    storage (error), or the collector skipped this user (unknown)."""
    root = f"/storage/emulated/{install.user_id}"
    if not snapshot.complete:
        where = user_label(snapshot, install.user_id)
        text = f"{what} of {where} were not collected: the scan stopped early"
        return install.outcome(
            Status.ERROR, Evidence(text, find_source(root), {"user": install.user_id})
        )
    text = (
        f"no storage evidence was collected for {what} of {user_label(snapshot, install.user_id)}"
    )
    return install.outcome(
        Status.UNKNOWN, Evidence(text, find_source(root), {"user": install.user_id})
    )


def _blind_status(snapshot: Snapshot, looked: Look) -> Status:
    failed = any(collection_failed(snapshot, reason) for _, reason in looked.blind)
    return Status.ERROR if failed else Status.UNKNOWN


def _uncatalogued(install: Install, what: str) -> Outcome:
    return install.outcome(
        Status.MANUAL,
        Evidence(
            f"the catalog knows no {what} folder of {install.variant.label}; check the phone "
            "by hand",
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
    WhatsApp builds get one more outcome: their Google Drive backup setting is app-private,
    unknown without root.

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
                    Evidence(
                        f"{install.messenger.name} keeps no local chat archive (cloud chats)",
                        CATALOG,
                        {"package": install.name},
                    ),
                )
            case Archives.UNLOCATABLE:
                yield install.outcome(
                    Status.MANUAL,
                    Evidence(
                        f"{install.messenger.name} backups have no fixed name or folder; check the "
                        "phone by hand",
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
                Status.UNKNOWN,
                Evidence(
                    "Google Drive backup frequency is app-private; a non-root shell cannot read it",
                    CATALOG,
                    {"package": install.name, "needs": "root"},
                ),
            )


def _archives(snapshot: Snapshot, looked: Look) -> Outcome:
    return _judge(
        snapshot, looked, ("chat backup", "the chat backup folders"),
        lambda ev, s: archive_evidence(looked.install, ev, s),
    )


def _judge(
    snapshot: Snapshot,
    looked: Look,
    what: tuple[str, str],
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
                Evidence(
                    f"{install.messenger.name} does not save received media to shared storage by "
                    "itself (copies are made by hand)",
                    CATALOG,
                    {"package": install.name},
                ),
            )
            continue
        yield _media(snapshot, look(snapshot, install, EvidenceKind.MEDIA))


def _media(snapshot: Snapshot, looked: Look) -> Outcome:
    return _judge(snapshot, looked, ("media", "the media folders"), media_evidence)


@check(
    id="MSG-05",
    slug="storage-exposure",
    title="Other apps can read exposed messenger data",
    severity=Severity.HIGH,
    article=Article(PITFALLS, "gefährlich, wenn andere Apps Zugriff auf den Speicher haben"),
    rationale=(
        "The article singles out attachments in storage on phones where other apps may read the "
        "storage. Chat backups and visible media in shared storage are open to every app holding "
        "a storage or media permission or all-files access in the same profile."
    ),
    remediation=(
        (
            "Take storage access away from the listed apps: Settings > Apps > (the app) > "
            "Permissions > Photos and videos / Music and audio / Files and media: Don't allow."
        ),
        (
            "Switch off all-files access: Settings > Apps > Special app access > All files access "
            "> (the app): off."
        ),
        "Uninstall listed apps that are not needed, first those not from an app store.",
        (
            "Remove the messenger data from shared storage (MSG-03, MSG-04) or move the messenger "
            "into a work profile (MSG-02)."
        ),
    ),
)
def storage_exposure(ctx: Context) -> Iterator[Outcome]:
    """Per user with a messenger: fail when MSG-03/MSG-04 find exposed data there and another
    third-party app can read shared storage (named); pass when none can; not applicable when
    nothing is exposed; unknown when exposure could not be determined or app ops are unreadable.

    Decisions: other messengers count as readers of each other's data, but an app is never a
    reader of its own files. WRITE_EXTERNAL_STORAGE counts (Android grants READ with it).
    READ_MEDIA_VISUAL_USER_SELECTED does not (the user picks each photo). A grant counts
    unless its app op is ignore/deny; all-files access counts when its op is allow. Media and
    file permissions are not told apart by file type: scoped-storage rules differ by Android
    version and vendor, so any storage reader counts. Preinstalled system apps are listed but
    not counted: the user cannot remove them.
    """
    snapshot = ctx.snapshot
    found = installs(snapshot)
    if isinstance(found, Outcome):
        yield found
        return
    by_user: dict[int, list[Install]] = {}
    for install in found:
        by_user.setdefault(install.user_id, []).append(install)
    for user_id, group in by_user.items():
        yield exposure(ctx.snapshot, user_id, group)


_BACKS_UP_TOKENS = {
    "whatsapp": "its backup agent saves only a token file, no chats",
    "whatsapp_business": "its backup agent saves only a token file, no chats",
    "telegram": "its backup agent saves only login tokens, no chats",
    "signal": "its backup agent saves only account-recovery tokens, no chats",
}
"""What the messenger's own backup agent hands to Android's backup (messengers.md §2.4, §4.4,
§5.4)."""


@check(
    id="MSG-12",
    slug="system-backup",
    title="Android's own backup may copy messenger data",
    severity=Severity.INFO,
    article=Article(BEYOND, "Kontext zu: Nachrichtenverläufe nicht archivieren"),
    rationale=(
        "Context for MSG-03: an app that allows backup hands data to Android's backup, which "
        "sends it to the selected transport (usually Google). WhatsApp, Telegram and Signal "
        "allow it but hand over only login tokens, so this is informational."
    ),
    remediation=(
        "Usually nothing to do: for WhatsApp, Telegram and Signal the backup holds no chats.",
        (
            "To keep all app data out of Google's backup: Settings > Google > Backup > Backup by "
            "Google One: off (or forbid the backup service in the MDM)."
        ),
    ),
)
def system_backup(ctx: Context) -> Iterator[Outcome]:
    """Per install: fail (informational) when the app allows backup and Android's backup is on
    with a transport; pass when the app does not allow it or backup is off; unknown when the
    backup state could not be read (or backup is on without a reported transport)."""
    snapshot = ctx.snapshot
    found = installs(snapshot)
    if isinstance(found, Outcome):
        yield found
        return
    for install in found:
        if not install.package.allows_backup:
            yield install.outcome(
                Status.PASS,
                Evidence(
                    "ALLOW_BACKUP not set: Android's backup copies none of its data",
                    PACKAGES,
                    {"allow_backup": False},
                ),
            )
            continue
        flag = Evidence("ALLOW_BACKUP set in the app's flags", PACKAGES, {"allow_backup": True})
        backup = snapshot.backup
        if isinstance(backup, Unseen):
            out = unseen(snapshot, backup, BACKUP, "Android's backup state")
            yield install.outcome(out.status, flag, *out.evidence)
            continue
        if backup.enabled is False:
            yield install.outcome(
                Status.PASS, flag, Evidence("Android backup is off", BACKUP, {"enabled": False})
            )
            continue
        if backup.enabled is None or backup.transport is None:
            text = (
                "bmgr reported neither enabled nor disabled"
                if backup.enabled is None
                else "Android backup is on but no selected transport was reported"
            )
            source = BACKUP if backup.enabled is None else TRANSPORTS
            yield install.outcome(
                Status.UNKNOWN, flag, Evidence(text, source, {"enabled": backup.enabled})
            )
            continue
        what = _BACKS_UP_TOKENS.get(
            install.messenger.key, "what its backup agent copies is not documented: assume app data"
        )
        yield install.outcome(
            Status.FAIL,
            flag,
            Evidence(
                f"Android backup is on, transport {backup.transport}",
                TRANSPORTS,
                {"transport": backup.transport},
            ),
            Evidence(f"{install.messenger.name}: {what}", CATALOG, {"key": install.messenger.key}),
        )
