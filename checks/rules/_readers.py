"""MSG-05's reading of one user: what messenger data lies open, and which other apps can read it.

Exposure is what MSG-03 and MSG-04 find (``checks.rules._exposure.look``), sorted by the kind of
file (``checks.rules._exposed.Exposed``); readers are the apps installed for the same user whose
grants reach that kind of file on this Android version (``reach``).

What a grant reaches (developer.android.com: "Storage updates in Android 11", "Manage all files
on a storage device", Manifest.permission; AOSP PermissionPolicyService for LEGACY_STORAGE):

- all-files access (app op MANAGE_EXTERNAL_STORAGE allow, Android 11+): every file in shared
  storage, chat backups and ``.nomedia`` folders included (not ``Android/data`` / ``obb``);
- READ_EXTERNAL_STORAGE with legacy storage: every file. Legacy storage is what every app has on
  Android 9 and older; on Android 10 apps targeting < 29 and apps asking for it
  (requestLegacyExternalStorage) keep it; Android 11+ honours it only for apps still targeting
  29 or lower. The LEGACY_STORAGE app op shows the outcome: ignore/deny = scoped;
- READ_EXTERNAL_STORAGE under scoped storage: other apps' images, videos and audio only, through
  MediaStore, which skips ``.nomedia`` folders; no effect for apps targeting 33+ on Android 13+;
- WRITE_EXTERNAL_STORAGE: implies READ, except for apps targeting 30+ on Android 11+ (nothing);
- READ_MEDIA_IMAGES / _VIDEO / _AUDIO (Android 13+): images / videos / audio only;
  READ_MEDIA_VISUAL_USER_SELECTED does not count (the user picks each photo);
- apps targeting SDK < 23 hold dangerous permissions from install (``install_permissions``).
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct

from checks.catalog import AUDIO, DOCUMENTS, IMAGES, VIDEOS
from checks.facts import AppOps, EvidenceKind, OpMode, Package, Snapshot, Unseen
from checks.findings import Evidence, Message, Outcome, Status, say, say_n
from checks.rules._common import (
    APP_OPS,
    BLOCKING,
    PACKAGES,
    Install,
    granted,
    grants_unread,
    op_mode,
    unseen,
    user_msg,
)
from checks.rules._exposed import (
    Exposed,
    blind_outcome,
    exposed_items,
    exposure_evidence,
    undetermined,
)

EVERYTHING = "everything"
"""What a reader with all-files access or legacy storage reaches."""

_MEDIA = {
    "android.permission.READ_MEDIA_IMAGES": ("READ_MEDIA_IMAGES", IMAGES),
    "android.permission.READ_MEDIA_VIDEO": ("READ_MEDIA_VIDEO", VIDEOS),
    "android.permission.READ_MEDIA_AUDIO": ("READ_MEDIA_AUDIO", AUDIO),
}
_STORAGE = {
    "android.permission.READ_EXTERNAL_STORAGE": "READ_EXTERNAL_STORAGE",
    "android.permission.WRITE_EXTERNAL_STORAGE": "WRITE_EXTERNAL_STORAGE",
}
"""Runtime permission -> the app op that can take it back."""


class Reach(Struct, frozen=True):
    kinds: frozenset[str]
    """EVERYTHING, or the media kinds (IMAGES, VIDEOS, AUDIO) the app can read."""
    ways: tuple[str, ...]
    """How, in words: "READ_MEDIA_IMAGES granted (images only)"."""
    how: tuple[Message, ...] = ()
    """``ways`` as messages."""

    def can_read(self, item: Exposed) -> bool:
        if EVERYTHING in self.kinds:
            return True
        if item.needs_all_files:
            return False
        holds = set(item.holds)
        if DOCUMENTS in holds:  # files of any type: the photos, videos, audio among them
            return bool(self.kinds)
        return bool(holds & self.kinds)


_OPS = (
    "MANAGE_EXTERNAL_STORAGE",
    "LEGACY_STORAGE",
    *_STORAGE.values(),
    *(op for op, _ in _MEDIA.values()),
)
_PERMISSIONS = (*_STORAGE, *_MEDIA)
_NOTHING: dict[str, Any] = {}
_KEPT = 4096
_REACHED: dict[tuple[object, ...], Reach] = {}
"""``reach``'s answers by what they depend on (``_inputs``): an app with the same grants, modes
and target on the same Android version reaches the same (most of a phone's apps are alike)."""


def _inputs(pkg: Package, user_id: int, ops: AppOps, sdk: int | None) -> tuple[object, ...]:
    """Everything ``_reach`` reads of its arguments: the API levels, the five grants as
    ``granted`` reads them, the app ops' modes as ``AppOps.mode`` reads them (``_reach`` reads
    nothing else of the app: not its name), each dict looked up once."""
    pu = pkg.user(user_id)
    runtime = _NOTHING if pu is None else pu.runtime_permissions
    target = pkg.target_sdk
    install = pkg.install_permissions if target is None or target < 23 else _NOTHING
    app_id = pkg.app_id
    by_uid = _NOTHING if app_id is None else ops.uid_modes.get(user_id * 100000 + app_id, _NOTHING)
    own = ops.modes.get((user_id, pkg.name), _NOTHING)
    return (
        sdk,
        target,
        *[runtime.get(p) is True or install.get(p) is True for p in _PERMISSIONS],
        *[own.get(op) if (mode := by_uid.get(op)) is None else mode for op in _OPS],
    )


def reach(pkg: Package, user_id: int, ops: AppOps, sdk: int | None) -> Reach:
    """What the app can read in the user's shared storage on a phone with API level ``sdk``
    (None: not known, judged as the older, wider rules): ``_reach``, kept by its inputs."""
    key = _inputs(pkg, user_id, ops, sdk)
    found = _REACHED.get(key)
    if found is None:
        found = _reach(pkg, user_id, ops, sdk)
        if len(_REACHED) < _KEPT:
            _REACHED[key] = found
    return found


def _reach(pkg: Package, user_id: int, ops: AppOps, sdk: int | None) -> Reach:
    """``reach`` worked out."""
    kinds: set[str] = set()
    ways: list[Message] = []
    target = pkg.target_sdk
    if (sdk is None or sdk >= 30) and op_mode(
        ops, pkg, user_id, "MANAGE_EXTERNAL_STORAGE"
    ) is OpMode.ALLOW:
        kinds.add(EVERYTHING)
        ways.append(
            say("reach.all_files", "all files access (app op MANAGE_EXTERNAL_STORAGE allow)")
        )
    for permission, op in _STORAGE.items():
        if not granted(pkg, user_id, permission) or op_mode(ops, pkg, user_id, op) in BLOCKING:
            continue
        if op == "WRITE_EXTERNAL_STORAGE" and _scoped_era(sdk) and (target or 0) >= 30:
            continue  # grants nothing to apps targeting 30+ on Android 11+ (Manifest.permission)
        if _legacy(pkg, user_id, ops, sdk):
            kinds.add(EVERYTHING)
            why = (
                say("reach.android9", "Android 9 or older")
                if sdk is not None and sdk <= 28
                else say("reach.android10", "Android 10")
                if sdk == 29
                else _targets(target)
            )
            ways.append(
                say(
                    "reach.legacy",
                    "{op} granted (legacy storage, {why}: every file)",
                    op=op,
                    why=why,
                )
            )
        elif sdk is not None and sdk >= 33 and target is not None and target >= 33:
            continue  # no effect for apps targeting 33+ on Android 13+
        else:
            kinds.update((IMAGES, VIDEOS, AUDIO))
            ways.append(say("reach.scoped", "{op} granted (images, videos and audio)", op=op))
    if sdk is None or sdk >= 33:
        for permission, (op, kind) in _MEDIA.items():
            if granted(pkg, user_id, permission) and op_mode(ops, pkg, user_id, op) not in BLOCKING:
                kinds.add(kind)
                ways.append(_ONLY[kind](op))
    how = tuple(dict.fromkeys(ways))
    return Reach(frozenset(kinds), tuple(w.english() for w in how), how)


def _legacy(pkg: Package, user_id: int, ops: AppOps, sdk: int | None) -> bool:
    """Legacy (unfiltered) storage: always on Android 9 and older; on Android 10 for any app
    (requestLegacyExternalStorage is honoured there whatever the target), on 11+ for apps
    targeting 29 or lower (unknown target counts as old); in both cases unless the
    LEGACY_STORAGE app op took it away. The manifest flag itself is not visible to the shell:
    without a blocking op the wider reading is taken (no false pass)."""
    if sdk is not None and sdk <= 28:
        return True
    if sdk is not None and sdk >= 30 and pkg.target_sdk is not None and pkg.target_sdk > 29:
        return False
    return op_mode(ops, pkg, user_id, "LEGACY_STORAGE") not in BLOCKING


def _scoped_era(sdk: int | None) -> bool:
    return sdk is not None and sdk >= 30


def _targets(target: int | None) -> Message:
    if target is None:
        return say("reach.no_target", "target API level not reported")
    return say("reach.target", "targets API {api}", api=target)


_ONLY = {
    IMAGES: lambda op: say("reach.images", "{op} granted (images only)", op=op),
    VIDEOS: lambda op: say("reach.videos", "{op} granted (videos only)", op=op),
    AUDIO: lambda op: say("reach.audio", "{op} granted (audio only)", op=op),
}


def exposure(snapshot: Snapshot, user_id: int, group: list[Install]) -> Outcome:
    """One outcome for the user: fail, pass, not applicable, manual, unknown or error (MSG-05).
    A third-party app whose grants were not read (``Package.grants_read``) may be a reader:
    with no reader seen, the outcome is unknown, not pass."""
    where = user_msg(snapshot, user_id)
    items, looks = exposed_items(snapshot, group)
    if not items:
        return undetermined(snapshot, user_id, where, looks, group)
    evidence = exposure_evidence(items)
    if isinstance(snapshot.app_ops, Unseen):
        out = unseen(
            snapshot, snapshot.app_ops, APP_OPS, "app ops (all-files access, blocked grants)"
        )
        return Outcome(out.status, (*evidence, *out.evidence), user_id=user_id)
    sdk = None if isinstance(snapshot.identity, Unseen) else snapshot.identity.sdk
    owners = {i.owner for i in items}
    packages: tuple[Package, ...] = (
        () if isinstance(snapshot.packages, Unseen) else snapshot.packages
    )
    readers: list[tuple[Package, Reach, list[Exposed]]] = []
    system: list[str] = []
    unreached: list[tuple[Package, Reach]] = []
    unread: list[Package] = []
    for pkg in packages:
        if user_id not in pkg.installed_for():
            continue
        r = reach(pkg, user_id, snapshot.app_ops, sdk)
        # An app is never a reader of its own files.
        readable = [i for i in items if i.owner != pkg.name and r.can_read(i)]
        if not readable and not pkg.grants_read and not pkg.is_system and owners - {pkg.name}:
            unread.append(pkg)  # its storage grants are not known: it may be a reader
            continue
        if not r.kinds:
            continue
        if not readable:
            if owners - {pkg.name}:
                unreached.append((pkg, r))
            continue
        if pkg.is_system:
            system.append(pkg.name)
        else:
            readers.append((pkg, r, readable))
    lines = [_reader_evidence(pkg, r, readable, user_id) for pkg, r, readable in readers]
    if system:
        lines.append(
            Evidence.of(
                say_n(
                    "readers.system",
                    "{n} preinstalled system app can read it too ({names}); not counted: part "
                    "of the firmware",
                    "{n} preinstalled system apps can read it too ({names}); not counted: part "
                    "of the firmware",
                    len(system),
                    names=system,
                ),
                PACKAGES,
                {"system_readers": system},
            )
        )
    if unreached:
        lines.append(
            Evidence.of(
                say(
                    "readers.unreached",
                    "can read none of the exposed files: {apps:semi}",
                    apps=[_app(p.name, list(r.how)) for p, r in unreached],
                ),
                PACKAGES,
                {"unreached": [p.name for p, _ in unreached]},
            )
        )
    if readers:
        summary = Evidence.of(
            say_n(
                "readers.found",
                "{n} other app can read messenger data in shared storage of {where}: {apps:semi}",
                "{n} other apps can read messenger data in shared storage of {where}: {apps:semi}",
                len(readers),
                where=where,
                apps=[_app(p.name, _whats(readable)) for p, _, readable in readers],
            ),
            PACKAGES,
            {"readers": [p.name for p, _, _ in readers]},
        )
        return Outcome(Status.FAIL, (summary, *evidence, *lines), user_id=user_id)
    if unread:
        return Outcome(
            Status.UNKNOWN,
            (*(grants_unread(p) for p in unread), *evidence, *lines),
            user_id=user_id,
        )
    unseen_media = [
        lk
        for lk in looks
        if lk.kind is EvidenceKind.MEDIA and lk.catalogued and (not lk.collected or lk.blind)
    ]
    if unseen_media and any(not p.is_system for p, _ in unreached):
        # Media folders that could not be read may hold what the media readers can read.
        out = blind_outcome(snapshot, user_id, where, unseen_media)
        first = Evidence.of(
            say(
                "readers.media_unseen",
                "could not tell whether other apps with media access can read messenger media in "
                "shared storage of {where}: media folders could not be read",
                where=where,
            ),
            out.evidence[0].source,
            {"user": user_id},
        )
        return Outcome(out.status, (first, *evidence, *out.evidence[1:], *lines), user_id=user_id)
    summary = Evidence.of(
        say(
            "readers.none",
            "no other third-party app in {where} can read the messenger data found there",
            where=where,
        ),
        PACKAGES,
        {"readers": 0},
    )
    return Outcome(Status.PASS, (summary, *evidence, *lines), user_id=user_id)


def _whats(items: list[Exposed]) -> list[Message]:
    """ "WhatsApp chat backups, WhatsApp images" (each label once, in order)."""
    return list(dict.fromkeys(i.label for i in items))


def _app(name: str, what: list[Message]) -> Message:
    return say("readers.app", "{package} ({what})", package=name, what=what)


def _reader_evidence(pkg: Package, r: Reach, readable: list[Exposed], user_id: int) -> Evidence:
    source = APP_OPS if any(w.id == "reach.all_files" for w in r.how) else PACKAGES
    return Evidence.of(
        say(
            "readers.reader",
            "{package} can read {what} in shared storage of user {user}: {ways:semi}",
            package=pkg.name,
            what=_whats(readable),
            user=user_id,
            ways=list(r.how),
        ),
        source,
        {
            "package": pkg.name,
            "access": list(r.ways),
            "reads": [m.english() for m in _whats(readable)],
        },
    )
