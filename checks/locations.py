"""Where messengers leave files in shared storage: the catalog's locations (MSG-03, -04, -05).

Source: messengers.md (sections cited per block; docs/sources.md, "Messengers"). Paths are
relative to one user's shared storage root (``/storage/emulated/<user>``); ``{pkg}`` stands for
the package name.
Locations are looked at with counts, sizes and dates only, never file names or content.
"""

from __future__ import annotations

from msgspec import Struct

from checks.facts import EvidenceKind


class Location(Struct, frozen=True):
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


# What a media location holds (Location.holds). READ_MEDIA_IMAGES reaches images, _VIDEO videos,
# _AUDIO audio (Manifest.permission docs); documents are files of any type sent as files, so
# photos, videos or audio among them are reachable by the matching media permission too.
IMAGES, VIDEOS, AUDIO, DOCUMENTS = "images", "videos", "audio", "documents"
ANY_MEDIA = (IMAGES, VIDEOS, AUDIO, DOCUMENTS)


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


def whatsapp_locations(scoped_root: str, legacy_root: str, prefix: str) -> tuple[Location, ...]:
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


# --- Telegram (§4.2): /sdcard/Telegram on <= 10; Android/media/<pkg>/Telegram on 11+.
def _media(id: str, path: str, holds: str) -> Location:
    return Location(id, EvidenceKind.MEDIA, path, holds=(holds,))


_TG_SCOPED = "Android/media/{pkg}/Telegram"
TELEGRAM_LOCATIONS = (
    _media("legacy.images", "Telegram/Telegram Images", IMAGES),
    _media("legacy.video", "Telegram/Telegram Video", VIDEOS),
    _media("legacy.documents", "Telegram/Telegram Documents", DOCUMENTS),
    _media("scoped.images", f"{_TG_SCOPED}/Telegram Images", IMAGES),
    _media("scoped.video", f"{_TG_SCOPED}/Telegram Video", VIDEOS),
    _media("gallery", "Pictures/Telegram", IMAGES),
)

# --- Signal (§5.2): legacy Signal/Backups; on 10+ a folder the user picked anywhere.
SIGNAL_LOCATIONS = (
    Location("backup.files", EvidenceKind.ARCHIVE, "", pattern="signal-*.backup", depth=None),
    Location(
        "backup.folders", EvidenceKind.ARCHIVE, "", pattern="signal-backup-*", depth=None, dirs=True
    ),
)


# Molly names its backups after the app, not Signal: "%s-%s.backup" with BuildConfig
# BACKUP_BASE_NAME = baseAppFileName ("Molly") [mollyim/mollyim-android LocalBackupJobApi29.java,
# app/build.gradle.kts, app/gradle.properties]. Its folder format is not known: not borrowed.
MOLLY_LOCATIONS = (
    Location("backup.files", EvidenceKind.ARCHIVE, "", pattern="[Mm]olly-*.backup", depth=None),
)


def threema_locations(media_path: str) -> tuple[Location, ...]:
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
