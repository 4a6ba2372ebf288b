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
    """Per user with a messenger: fail when messenger files lie in shared storage and another
    app installed there can read that kind of file (each reader named with what it can read);
    pass when none can; not applicable when nothing is exposed; manual when the catalog knows no
    folder of a variant; unknown when exposure could not be determined or app ops are
    unreadable.

    What a grant reaches depends on the Android version and the app's target API level
    (``checks.rules._readers``): on Android 11+ media permissions reach images, videos and audio
    only; chat backups and media hidden by .nomedia (WhatsApp Sent/, Private/) need all-files
    access or legacy storage; on Android 10 and older READ_EXTERNAL_STORAGE reads everything.

    Decisions: other messengers count as readers of each other's data, but an app is never a
    reader of its own files. A grant counts unless its app op is ignore/deny. WhatsApp's
    Documents folder counts for every media permission: photos, videos and audio sent as files
    land there and are media to MediaStore. An unknown target API level or Android version is
    judged by the older, wider rules. Preinstalled system apps are listed but not counted: the
    user cannot remove them.
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
