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

from checks.facts import EvidenceKind


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

    def resolve(self, package: str) -> str:
        return self.path.replace("{pkg}", package)


@dataclass(frozen=True, slots=True)
class Advisory:
    """A security fix: below ``fixed_in`` the installed version is exposed (MSG-09)."""

    id: str
    """CVE id, or a vendor/researcher name where no CVE exists."""
    fixed_in: str
    issue: str


@dataclass(frozen=True, slots=True)
class Variant:
    package: str
    label: str
    build: Build
    locations: tuple[Location, ...] = ()
    advisories: tuple[Advisory, ...] | None = None
    """The variant's own security fixes; None = its messenger's (same code base and versions)."""


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
_WA_MEDIA = ("Images", "Video", "Audio", "Voice Notes", "Documents", "Animated Gifs")


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
        for media in _WA_MEDIA:
            slug = media.lower().replace(" ", "_")
            # Voice notes go into one subfolder per week ("WhatsApp Voice Notes/202647/").
            depth = 2 if media == "Voice Notes" else 1
            out.append(
                Location(
                    f"{mode}.{slug}", EvidenceKind.MEDIA, f"{root}/Media/{prefix} {media}", depth=depth
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
        out.append(Location(f"{mode}.media", EvidenceKind.MEDIA, f"{root}/Media", depth=2))
    return tuple(out)


# --- Telegram (§4.2): /sdcard/Telegram on <= 10; Android/media/<pkg>/Telegram on 11+.
_TG_LOCATIONS = (
    Location("legacy.images", EvidenceKind.MEDIA, "Telegram/Telegram Images"),
    Location("legacy.video", EvidenceKind.MEDIA, "Telegram/Telegram Video"),
    Location("legacy.documents", EvidenceKind.MEDIA, "Telegram/Telegram Documents"),
    Location("scoped.images", EvidenceKind.MEDIA, "Android/media/{pkg}/Telegram/Telegram Images"),
    Location("scoped.video", EvidenceKind.MEDIA, "Android/media/{pkg}/Telegram/Telegram Video"),
    Location("gallery", EvidenceKind.MEDIA, "Pictures/Telegram"),
)

# --- Signal (§5.2): legacy Signal/Backups; on 10+ a folder the user picked anywhere.
_SIGNAL_LOCATIONS = (
    Location("backup.files", EvidenceKind.ARCHIVE, "", pattern="signal-*.backup", depth=None),
    Location(
        "backup.folders", EvidenceKind.ARCHIVE, "", pattern="signal-backup-*", depth=None, dirs=True
    ),
)


def _threema_locations(media_path: str) -> tuple[Location, ...]:
    """§6.1-6.2: <MEDIA_PATH>/... on <= 9, MediaStore folders on 10+, backups anywhere."""
    return (
        Location(
            "backup.zips", EvidenceKind.ARCHIVE, "", pattern="*threema-backup_*.zip", depth=None
        ),
        Location("legacy.pictures", EvidenceKind.MEDIA, f"{media_path}/Threema Pictures"),
        Location("legacy.videos", EvidenceKind.MEDIA, f"{media_path}/Threema Videos"),
        Location("gallery.pictures", EvidenceKind.MEDIA, f"Pictures/{media_path}"),
        Location("gallery.movies", EvidenceKind.MEDIA, f"Movies/{media_path}"),
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

# messengers.md §2.5 (CVE records): fixed versions for WhatsApp and WhatsApp Business.
_WA_TABLE = (
    ("CVE-2019-3568", "2.19.134", "2.19.44", "VoIP SRTCP buffer overflow (exploited by NSO)"),
    ("CVE-2019-11932", "2.19.244", None, "GIF double free"),
    ("CVE-2019-11931", "2.19.274", "2.19.104", "MP4 metadata stack overflow"),
    ("CVE-2020-1891", "2.20.17", "2.20.7", "video-call out-of-bounds write"),
    ("CVE-2020-1907", "2.20.196.16", "2.20.196.12", "RTP extension header stack overflow"),
    ("CVE-2021-24041", "2.21.22.7", "2.21.22.7", "image-blur out-of-bounds write"),
    ("CVE-2021-24042", "2.21.23", "2.21.23", "1:1 call out-of-bounds write"),
    ("CVE-2022-27492", "2.22.16.2", "2.22.16.2", "integer underflow, crafted video"),
    ("CVE-2022-36934", "2.22.16.12", "2.22.16.12", "integer overflow, RCE in a video call"),
    ("CVE-2026-23871", "2.26.17.4", "2.26.17.4", "ad-reply URL validation, IP disclosure"),
)
_WA_ADVISORIES = tuple(Advisory(cve, wa, issue) for cve, wa, _, issue in _WA_TABLE)
_WA_BUSINESS_ADVISORIES = tuple(Advisory(cve, b, issue) for cve, _, b, issue in _WA_TABLE if b)

STORES: dict[str, str] = {
    "com.android.vending": "Google Play",
    "org.fdroid.fdroid": "F-Droid",
    "com.aurora.store": "Aurora Store (Google Play front end)",
    "com.huawei.appmarket": "Huawei AppGallery",
    "com.sec.android.app.samsungapps": "Samsung Galaxy Store",
}
"""Installers that are app stores (messengers.md §1; vendor stores for the Huawei builds)."""

SIDELOAD_INSTALLERS: dict[str, str] = {
    "com.google.android.packageinstaller": "package installer (an APK file)",
    "com.android.packageinstaller": "package installer (an APK file)",
    "com.android.shell": "adb install",
}

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
            # Telegram advisories name: no floor known for it.
            _tg("org.thunderdog.challegram", "Telegram X", Build.OFFICIAL, advisories=()),
        ),
        profile=Profile(
            "Telegram Messenger Inc.",
            "Dubai (per the article); server locations not established",
            "no: only 1:1 secret chats",
            "phone number",
            "clients open (GPL v2), server closed",
        ),
        archives=Archives.NONE,
        advisories=(
            Advisory("CVE-2021-31315", "7.1.0", "rlottie heap overflows via animated stickers"),
            Advisory("CVE-2021-31320", "7.1.0", "rlottie heap overflow via animated stickers"),
            Advisory("EvilVideo (ESET, 2024; no CVE id)", "10.14.5", "APK disguised as a video"),
        ),
    ),
    Messenger(
        "signal",
        "Signal",
        (
            Variant("org.thoughtcrime.securesms", "Signal", Build.OFFICIAL, _SIGNAL_LOCATIONS),
            Variant("im.molly.app", "Molly (Signal fork)", Build.FORK, _SIGNAL_LOCATIONS),
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
        advisories=(Advisory("CVE-2019-17191", "4.47.7", "call answered without user action"),),
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


def version_key(version: str) -> tuple[int, ...] | None:
    """Compare versions component-wise as integers (messengers.md); None if not a version.

    Suffixes after the numeric part ("6.1.2k" for Threema Work, "4.59.11-2") are ignored.
    """
    parts: list[int] = []
    for piece in version.strip().split("."):
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
        if len(digits) != len(piece):
            break
    return tuple(parts) if parts else None


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
