"""MSG-05 storage-exposure: other apps that can read what messengers leave in shared storage.

Storage facts are counts, sizes and dates per catalog folder (``checks.rules._exposure``);
no file name is ever seen or reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.findings import Article, Outcome, Severity
from checks.rule import Context, check
from checks.rules._common import (
    PITFALLS,
    Install,
    installs,
)
from checks.rules._readers import exposure


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
