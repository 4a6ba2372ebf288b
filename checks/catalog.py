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
class Variant:
    package: str
    label: str
    build: Build
    locations: tuple[Location, ...] = ()


@dataclass(frozen=True, slots=True)
class Messenger:
    key: str
    """Stable id: whatsapp, whatsapp_business, telegram, signal, threema, wire, whatsapp_mod."""
    name: str
    variants: tuple[Variant, ...]


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


def _tg(package: str, label: str, build: Build) -> Variant:
    return Variant(package, label, build, _TG_LOCATIONS)


def _mod(package: str, label: str, folder: str | None = None) -> Variant:
    return Variant(package, label, Build.MOD, _mod_locations(folder) if folder else ())


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
    ),
    Messenger(
        "telegram",
        "Telegram",
        (
            _tg("org.telegram.messenger", "Telegram", Build.OFFICIAL),
            _tg("org.telegram.messenger.web", "Telegram (telegram.org APK)", Build.OFFICIAL),
            _tg("org.telegram.messenger.beta", "Telegram Beta", Build.BETA),
            _tg("org.thunderdog.challegram", "Telegram X", Build.OFFICIAL),
        ),
    ),
    Messenger(
        "signal",
        "Signal",
        (
            Variant("org.thoughtcrime.securesms", "Signal", Build.OFFICIAL, _SIGNAL_LOCATIONS),
            Variant("im.molly.app", "Molly (Signal fork)", Build.FORK, _SIGNAL_LOCATIONS),
        ),
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
