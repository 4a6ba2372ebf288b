"""The messenger catalog: packages, variants, clones and where each keeps media and archives.

Source: ../shared/reference/messengers.md (sections cited per entry). Adding a messenger is one
``Messenger`` entry; its storage locations are data the scanner turns into probes.

Paths are relative to one user's shared storage root (``/storage/emulated/<user>``); ``{pkg}``
stands for the package name. Archive and media locations are looked at with counts, sizes and
dates only, never file names or content.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from checks import advisories as _adv
from checks.advisories import Advisory, version_key  # noqa: F401  (re-exported)
from checks.facts import EvidenceKind
from checks.installers import SIDELOAD_INSTALLERS, STORES  # noqa: F401  (re-exported)


class Build(enum.Enum):
    """Where a package name comes from."""

    OFFICIAL = "official"
    BETA = "beta"  # the vendor's own beta / alpha / dev build
    FORK = "fork"  # a third-party build of open source (Molly, Threema Libre is official)
    MOD = "mod"  # an unofficial, modified client (MSG-08)


@dataclass(frozen=True, slots=True)
class Location:
    """One shared-storage place a messenger leaves files in."""

    id: str
    """Stable id, unique within the variant, e.g. "scoped.images"."""
    kind: EvidenceKind
    path: str
    """Relative to the user's storage root; "" is the root; may contain "{pkg}"."""
    pattern: str | None = None
    """A ``find -name`` glob the files must match (archives), or None for every file."""
    depth: int | None = 1
    """``find -maxdepth``; None searches the whole tree below ``path``."""
    dirs: bool = False
    """Count folders matching ``pattern`` instead of files (Signal's folder backups)."""
    holds: tuple[str, ...] = ()
    """What kind of files a media location holds (``IMAGES``, ``VIDEOS``, ``AUDIO``,
    ``DOCUMENTS``): which media permission reaches them (MSG-05). Empty for archives."""
    mindepth: int | None = None
    """``find -mindepth``: only files this deep (WhatsApp's Sent/ and Private/ subfolders)."""

    def resolve(self, package: str) -> str:
        return self.path.replace("{pkg}", package)


@dataclass(frozen=True, slots=True)
class Variant:
    package: str
    label: str
    build: Build
    locations: tuple[Location, ...] = ()
    advisories: tuple[Advisory, ...] | None = None
    """The variant's own security fixes; None = its messenger's (same code base and versions)."""


# What a media location holds (Location.holds). READ_MEDIA_IMAGES reaches images, _VIDEO videos,
# _AUDIO audio (Manifest.permission docs); documents are files of any type sent as files, so
# photos, videos or audio among them are reachable by the matching media permission too.
IMAGES, VIDEOS, AUDIO, DOCUMENTS = "images", "videos", "audio", "documents"
ANY_MEDIA = (IMAGES, VIDEOS, AUDIO, DOCUMENTS)


class Archives(enum.Enum):
    """Where a messenger's chat backups can be looked for (MSG-03)."""

    LOCATED = "located"  # fixed names or folders in shared storage (catalog locations)
    NONE = "none"  # the app keeps no local chat archive (Telegram: cloud chats)
    UNLOCATABLE = "unlocatable"  # backups exist but have no fixed name or place (Wire)


@dataclass(frozen=True, slots=True)
class Profile:
    """The article's comparison of the messenger (checklist.md §B, messengers.md §9)."""

    operator: str
    seat: str
    e2e_default: str
    registration: str
    source: str


@dataclass(frozen=True, slots=True)
class Messenger:
    key: str
    """Stable id: whatsapp, whatsapp_business, telegram, signal, threema, wire, whatsapp_mod."""
    name: str
    variants: tuple[Variant, ...]
    profile: Profile | None = None
    archives: Archives = Archives.LOCATED
    autosaves_media: bool = True
    """Can the app put received media into shared storage by itself (MSG-04)?"""
    needs_contacts: bool = True
    """False where the article says the app works without the phonebook and asks for none (Wire)."""
    whatsapp_family: bool = False
    """WhatsApp, WhatsApp Business and their mods: the article's isolation advice (MSG-02)."""
    advisories: tuple[Advisory, ...] = ()


# --- WhatsApp (messengers.md §2.2): scoped root on Android 11+, legacy root on <= 9, either on 10.
# Folder -> what it holds; WhatsApp keeps GIFs as MP4 videos, voice notes as Opus audio.
_WA_MEDIA = {
    "Images": IMAGES,
    "Video": VIDEOS,
    "Audio": AUDIO,
    "Voice Notes": AUDIO,
    "Documents": DOCUMENTS,
    "Animated Gifs": VIDEOS,
}
_WA_HIDDEN = ("Images", "Video", "Audio", "Documents", "Animated Gifs")
"""Folders with ``Sent/`` and ``Private/`` subfolders, both with ``.nomedia`` (§2.2)."""


def _whatsapp_locations(scoped_root: str, legacy_root: str, prefix: str) -> tuple[Location, ...]:
    out: list[Location] = []
    for mode, root in (("scoped", scoped_root), ("legacy", legacy_root)):
        out.append(
            Location(
                f"{mode}.databases",
                EvidenceKind.ARCHIVE,
                f"{root}/Databases",
                pattern="msgstore*.db.crypt*",
            )
        )
        for media, holds in _WA_MEDIA.items():
            slug = media.lower().replace(" ", "_")
            # Voice notes go into one subfolder per week ("WhatsApp Voice Notes/202647/").
            depth = 2 if media == "Voice Notes" else 1
            out.append(
                Location(
                    f"{mode}.{slug}",
                    EvidenceKind.MEDIA,
                    f"{root}/Media/{prefix} {media}",
                    depth=depth,
                    holds=(holds,),
                )
            )
        for media in _WA_HIDDEN:
            # Sent/ and Private/ hide their files from galleries (.nomedia), but the files lie in
            # shared storage: readable with all-files access (MSG-05).
            slug = media.lower().replace(" ", "_")
            out.append(
                Location(
                    f"{mode}.{slug}.hidden",
                    EvidenceKind.PRIVATE_MEDIA,
                    f"{root}/Media/{prefix} {media}",
                    depth=2,
                    mindepth=2,
                    holds=(_WA_MEDIA[media],),
                )
            )
    return tuple(out)


def _mod_locations(name: str) -> tuple[Location, ...]:
    """Mods keep WhatsApp's layout under their own name (messengers.md §3, [secondary])."""
    out: list[Location] = []
    for mode, root in (("scoped", f"Android/media/{{pkg}}/{name}"), ("legacy", name)):
        out.append(
            Location(
                f"{mode}.databases",
                EvidenceKind.ARCHIVE,
                f"{root}/Databases",
                pattern="msgstore*.db.crypt*",
            )
        )
        out.append(
            Location(f"{mode}.media", EvidenceKind.MEDIA, f"{root}/Media", depth=2, holds=ANY_MEDIA)
        )
    return tuple(out)


# --- Telegram (§4.2): /sdcard/Telegram on <= 10; Android/media/<pkg>/Telegram on 11+.
def _media(id: str, path: str, holds: str) -> Location:
    return Location(id, EvidenceKind.MEDIA, path, holds=(holds,))


_TG_SCOPED = "Android/media/{pkg}/Telegram"
_TG_LOCATIONS = (
    _media("legacy.images", "Telegram/Telegram Images", IMAGES),
    _media("legacy.video", "Telegram/Telegram Video", VIDEOS),
    _media("legacy.documents", "Telegram/Telegram Documents", DOCUMENTS),
    _media("scoped.images", f"{_TG_SCOPED}/Telegram Images", IMAGES),
    _media("scoped.video", f"{_TG_SCOPED}/Telegram Video", VIDEOS),
    _media("gallery", "Pictures/Telegram", IMAGES),
)

# --- Signal (§5.2): legacy Signal/Backups; on 10+ a folder the user picked anywhere.
_SIGNAL_LOCATIONS = (
    Location("backup.files", EvidenceKind.ARCHIVE, "", pattern="signal-*.backup", depth=None),
    Location(
        "backup.folders", EvidenceKind.ARCHIVE, "", pattern="signal-backup-*", depth=None, dirs=True
    ),
)


# Molly names its backups after the app, not Signal: "%s-%s.backup" with BuildConfig
# BACKUP_BASE_NAME = baseAppFileName ("Molly") [mollyim/mollyim-android LocalBackupJobApi29.java,
# app/build.gradle.kts, app/gradle.properties]. Its folder format is not known: not borrowed.
_MOLLY_LOCATIONS = (
    Location("backup.files", EvidenceKind.ARCHIVE, "", pattern="[Mm]olly-*.backup", depth=None),
)


def _threema_locations(media_path: str) -> tuple[Location, ...]:
    """§6.1-6.2: <MEDIA_PATH>/... on <= 9, MediaStore folders on 10+, backups anywhere."""
    return (
        Location(
            "backup.zips", EvidenceKind.ARCHIVE, "", pattern="*threema-backup_*.zip", depth=None
        ),
        _media("legacy.pictures", f"{media_path}/Threema Pictures", IMAGES),
        _media("legacy.videos", f"{media_path}/Threema Videos", VIDEOS),
        _media("gallery.pictures", f"Pictures/{media_path}", IMAGES),
        _media("gallery.movies", f"Movies/{media_path}", VIDEOS),
    )


def _tg(package: str, label: str, build: Build, advisories: tuple[Advisory, ...] | None = None) -> Variant:
    return Variant(package, label, build, _TG_LOCATIONS, advisories)


def _mod(package: str, label: str, folder: str | None = None) -> Variant:
    return Variant(package, label, Build.MOD, _mod_locations(folder) if folder else ())


_WHATSAPP_PROFILE = Profile(
    "WhatsApp Ireland Ltd (EU controller), Meta Platforms (USA)",
    "USA (Meta); EU controller in Ireland; server locations not established",
    "yes (Google Drive backups only with end-to-end encrypted backup on)",
    "phone number",
    "closed source",
)

# Advisories (MSG-09) with their sources and ranges live in checks/advisories.py.
_WA_ADVISORIES = _adv.WHATSAPP
_WA_BUSINESS_ADVISORIES = _adv.WHATSAPP_BUSINESS

MESSENGERS: tuple[Messenger, ...] = (
    Messenger(
        "whatsapp",
        "WhatsApp",
        (
            Variant(
                "com.whatsapp",
                "WhatsApp",
                Build.OFFICIAL,
                _whatsapp_locations(
                    "Android/media/com.whatsapp/WhatsApp", "WhatsApp", "WhatsApp"
                ),
            ),
        ),
        profile=_WHATSAPP_PROFILE,
        whatsapp_family=True,
        advisories=_WA_ADVISORIES,
    ),
    Messenger(
        "whatsapp_business",
        "WhatsApp Business",
        (
            Variant(
                "com.whatsapp.w4b",
                "WhatsApp Business",
                Build.OFFICIAL,
                _whatsapp_locations(
                    "Android/media/com.whatsapp.w4b/WhatsApp Business",
                    "WhatsApp Business",
                    "WhatsApp Business",
                ),
            ),
        ),
        profile=_WHATSAPP_PROFILE,
        whatsapp_family=True,
        advisories=_WA_BUSINESS_ADVISORIES,
    ),
    Messenger(
        "whatsapp_mod",
        "WhatsApp mod",
        (
            _mod("com.gbwhatsapp", "GBWhatsApp", "GBWhatsApp"),
            _mod("com.fmwhatsapp", "FMWhatsApp", "FMWhatsApp"),
            _mod("com.yowhatsapp", "YoWhatsApp", "YoWhatsApp"),
            _mod("com.WhatsApp2Plus", "WhatsApp2Plus", "WhatsApp2Plus"),
            _mod("com.obwhatsapp", "OBWhatsApp"),
            _mod("com.ob2whatsapp", "OB2WhatsApp"),
            _mod("com.ob3whatsapp", "OB3WhatsApp"),
            _mod("com.whatsapp.plus", "WhatsApp Plus"),
            _mod("com.rcwhatsapp", "RCWhatsApp"),
            _mod("com.universe.messenger", "Universe Messenger"),
            _mod("com.sathwbg.easymessager", "Easy Messager"),
        ),
        whatsapp_family=True,
    ),
    Messenger(
        "telegram",
        "Telegram",
        (
            _tg("org.telegram.messenger", "Telegram", Build.OFFICIAL),
            _tg("org.telegram.messenger.web", "Telegram (telegram.org APK)", Build.OFFICIAL),
            _tg("org.telegram.messenger.beta", "Telegram Beta", Build.BETA),
            # Telegram X (TDLib, 0.x versions) shares no code or version line with the app the
            # Telegram advisories name: no floor known for it. Nor does it share Telegram's
            # storage layout (createMediaPaths is DrKLO code): no catalog folders until its own
            # are known, so MSG-03/MSG-04 are manual for it, never judged on Telegram's folders.
            Variant("org.thunderdog.challegram", "Telegram X", Build.OFFICIAL, (), advisories=()),
        ),
        profile=Profile(
            "Telegram Messenger Inc.",
            "Dubai (per the article); server locations not established",
            "no: only 1:1 secret chats",
            "phone number",
            "clients open (GPL v2), server closed",
        ),
        archives=Archives.NONE,
        advisories=_adv.TELEGRAM,
    ),
    Messenger(
        "signal",
        "Signal",
        (
            Variant("org.thoughtcrime.securesms", "Signal", Build.OFFICIAL, _SIGNAL_LOCATIONS),
            Variant("im.molly.app", "Molly (Signal fork)", Build.FORK, _MOLLY_LOCATIONS),
        ),
        profile=Profile(
            "Signal Technology Foundation / Signal Messenger LLC",
            "USA, servers in the USA (per the article)",
            "yes",
            "phone number",
            "open source",
        ),
        # Signal has no auto-save setting: gallery copies are made by hand (messengers.md §5.2).
        autosaves_media=False,
        advisories=_adv.SIGNAL,
    ),
    Messenger(
        "threema",
        "Threema",
        (
            Variant("ch.threema.app", "Threema", Build.OFFICIAL, _threema_locations("Threema")),
            Variant(
                "ch.threema.app.work", "Threema Work", Build.OFFICIAL, _threema_locations("ThreemaWork")
            ),
            Variant(
                "ch.threema.app.hms", "Threema (Huawei)", Build.OFFICIAL, _threema_locations("Threema")
            ),
            Variant(
                "ch.threema.app.work.hms",
                "Threema Work (Huawei)",
                Build.OFFICIAL,
                _threema_locations("ThreemaWork"),
            ),
            Variant(
                "ch.threema.app.libre",
                "Threema Libre",
                Build.OFFICIAL,
                _threema_locations("ThreemaLibre"),
            ),
            Variant(
                "ch.threema.app.onprem",
                "Threema OnPrem",
                Build.OFFICIAL,
                _threema_locations("ThreemaOnPrem"),
            ),
            Variant("ch.threema.app.green", "Threema (internal)", Build.BETA),
            Variant("ch.threema.app.sandbox.work", "Threema Work (sandbox)", Build.BETA),
            Variant("ch.threema.app.red", "Threema (internal)", Build.BETA),
        ),
        profile=Profile(
            "Threema GmbH",
            "Switzerland, servers in Switzerland",
            "yes, everything",
            "random Threema ID, no phone number needed",
            "apps open source since December 2020",
        ),
    ),
    Messenger(
        "wire",
        "Wire",
        (
            # Wire saves files to Download/, Pictures/ ... with no Wire subfolder and has no fixed
            # backup name (§7): there is no location that would be Wire's and only Wire's.
            Variant("com.wire", "Wire", Build.OFFICIAL),
            Variant("com.wire.internal", "Wire (alpha)", Build.BETA),
            Variant("com.wire.android.internal", "Wire (beta)", Build.BETA),
            Variant("com.waz.zclient.dev", "Wire (dev)", Build.BETA),
        ),
        profile=Profile(
            "Wire Swiss GmbH",
            "Berlin (HQ), Swiss holding; servers in Germany and Ireland",
            "yes, cannot be switched off",
            "e-mail or user name, no phone number needed",
            "open source",
        ),
        archives=Archives.UNLOCATABLE,
        autosaves_media=False,
        needs_contacts=False,
    ),
)


def variants() -> dict[str, tuple[Messenger, Variant]]:
    """Package name -> (messenger, variant), for every package the catalog knows."""
    index: dict[str, tuple[Messenger, Variant]] = {}
    for messenger in MESSENGERS:
        for variant in messenger.variants:
            if variant.package in index:
                raise ValueError(f"package {variant.package} is listed twice in the catalog")
            index[variant.package] = (messenger, variant)
    return index


VARIANTS = variants()
