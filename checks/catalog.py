"""The messenger catalog: packages, variants, clones and where each keeps media and archives.

Source: ../shared/reference/messengers.md (sections cited per entry). Adding a messenger is one
``Messenger`` entry; its storage locations are data the scanner turns into probes.

The storage locations themselves are in ``checks.locations``.
"""

from __future__ import annotations

from msgspec import Struct

from checks import advisories as _adv
from checks.advisories import Advisory, version_key  # noqa: F401  (re-exported)
from checks.enums import FastEnum
from checks.facts import EvidenceKind
from checks.findings import Message, say
from checks.installers import SIDELOAD_INSTALLERS, STORES  # noqa: F401  (re-exported)
from checks.locations import (  # noqa: F401  (Location and the file kinds are re-exported)
    ANY_MEDIA,
    AUDIO,
    DOCUMENTS,
    IMAGES,
    MOLLY_LOCATIONS,
    SIGNAL_LOCATIONS,
    TELEGRAM_LOCATIONS,
    VIDEOS,
    Location,
    threema_locations,
    whatsapp_locations,
)


class Build(FastEnum):
    """Where a package name comes from."""

    OFFICIAL = "official"
    BETA = "beta"  # the vendor's own beta / alpha / dev build
    FORK = "fork"  # a third-party build of open source (Molly, Threema Libre is official)
    MOD = "mod"  # an unofficial, modified client (MSG-08)


class Variant(Struct, frozen=True):
    package: str
    label: str
    build: Build
    locations: tuple[Location, ...] = ()
    advisories: tuple[Advisory, ...] | None = None
    """The variant's own security fixes; None = its messenger's (same code base and versions)."""


class Archives(FastEnum):
    """Where a messenger's chat backups can be looked for (MSG-03)."""

    LOCATED = "located"  # fixed names or folders in shared storage (catalog locations)
    NONE = "none"  # the app keeps no local chat archive (Telegram: cloud chats)
    UNLOCATABLE = "unlocatable"  # backups exist but have no fixed name or place (Wire)


class Edition(FastEnum):
    """Which of the article's two WhatsApp apps a messenger is (MSG-01), if either."""

    CONSUMER = "consumer"  # the private app: the article advises against it for business
    BUSINESS = "business"  # the article's preferred app for business use
    OTHER = "other"


_TOKEN_FILE = say("catalog.backup.token_file", "its backup agent saves only a token file, no chats")


class Profile(Struct, frozen=True):
    """The article's comparison of the messenger (checklist.md §B, messengers.md §9).

    Each value is a message: its English here, its German in the gettext catalog
    (reports/i18n/locale, msgctxt ``catalog.<key>.<field>``)."""

    operator: Message
    seat: Message
    e2e_default: Message
    registration: Message
    source: Message


class Messenger(Struct, frozen=True):
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
    edition: Edition = Edition.OTHER
    """Consumer WhatsApp or WhatsApp Business (MSG-01, the BYOD reading of MSG-02)."""
    secret_chats: bool = False
    """End-to-end encryption only in chats the user opens as secret chats (Telegram, MSG-07)."""
    backup_agent: Message | None = None
    """What the app's own backup agent hands to Android's backup (MSG-12, messengers.md §2.4,
    §4.4, §5.4); None: not documented, so app data is assumed."""


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


def _tg(
    package: str, label: str, build: Build, advisories: tuple[Advisory, ...] | None = None
) -> Variant:
    return Variant(package, label, build, TELEGRAM_LOCATIONS, advisories)


def _mod(package: str, label: str, folder: str | None = None) -> Variant:
    return Variant(package, label, Build.MOD, _mod_locations(folder) if folder else ())


_WHATSAPP_PROFILE = Profile(
    say("catalog.whatsapp.operator", "WhatsApp Ireland Ltd (EU controller), Meta Platforms (USA)"),
    say(
        "catalog.whatsapp.seat",
        "USA (Meta); EU controller in Ireland; server locations not established",
    ),
    say(
        "catalog.whatsapp.e2e_default",
        "yes (Google Drive backups only with end-to-end encrypted backup on)",
    ),
    say("catalog.whatsapp.registration", "phone number"),
    say("catalog.whatsapp.source", "closed source"),
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
                whatsapp_locations("Android/media/com.whatsapp/WhatsApp", "WhatsApp", "WhatsApp"),
            ),
        ),
        profile=_WHATSAPP_PROFILE,
        whatsapp_family=True,
        advisories=_WA_ADVISORIES,
        edition=Edition.CONSUMER,
        backup_agent=_TOKEN_FILE,
    ),
    Messenger(
        "whatsapp_business",
        "WhatsApp Business",
        (
            Variant(
                "com.whatsapp.w4b",
                "WhatsApp Business",
                Build.OFFICIAL,
                whatsapp_locations(
                    "Android/media/com.whatsapp.w4b/WhatsApp Business",
                    "WhatsApp Business",
                    "WhatsApp Business",
                ),
            ),
        ),
        profile=_WHATSAPP_PROFILE,
        whatsapp_family=True,
        advisories=_WA_BUSINESS_ADVISORIES,
        edition=Edition.BUSINESS,
        backup_agent=_TOKEN_FILE,
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
            say("catalog.telegram.operator", "Telegram Messenger Inc."),
            say(
                "catalog.telegram.seat", "Dubai (per the article); server locations not established"
            ),
            say("catalog.telegram.e2e_default", "no: only 1:1 secret chats"),
            say("catalog.telegram.registration", "phone number"),
            say("catalog.telegram.source", "clients open (GPL v2), server closed"),
        ),
        archives=Archives.NONE,
        advisories=_adv.TELEGRAM,
        secret_chats=True,
        backup_agent=say(
            "catalog.backup.login_tokens", "its backup agent saves only login tokens, no chats"
        ),
    ),
    Messenger(
        "signal",
        "Signal",
        (
            Variant("org.thoughtcrime.securesms", "Signal", Build.OFFICIAL, SIGNAL_LOCATIONS),
            Variant("im.molly.app", "Molly (Signal fork)", Build.FORK, MOLLY_LOCATIONS),
        ),
        profile=Profile(
            say("catalog.signal.operator", "Signal Technology Foundation / Signal Messenger LLC"),
            say("catalog.signal.seat", "USA, servers in the USA (per the article)"),
            say("catalog.signal.e2e_default", "yes"),
            say("catalog.signal.registration", "phone number"),
            say("catalog.signal.source", "open source"),
        ),
        # Signal has no auto-save setting: gallery copies are made by hand (messengers.md §5.2).
        autosaves_media=False,
        advisories=_adv.SIGNAL,
        backup_agent=say(
            "catalog.backup.recovery_tokens",
            "its backup agent saves only account-recovery tokens, no chats",
        ),
    ),
    Messenger(
        "threema",
        "Threema",
        (
            Variant("ch.threema.app", "Threema", Build.OFFICIAL, threema_locations("Threema")),
            Variant(
                "ch.threema.app.work",
                "Threema Work",
                Build.OFFICIAL,
                threema_locations("ThreemaWork"),
            ),
            Variant(
                "ch.threema.app.hms",
                "Threema (Huawei)",
                Build.OFFICIAL,
                threema_locations("Threema"),
            ),
            Variant(
                "ch.threema.app.work.hms",
                "Threema Work (Huawei)",
                Build.OFFICIAL,
                threema_locations("ThreemaWork"),
            ),
            Variant(
                "ch.threema.app.libre",
                "Threema Libre",
                Build.OFFICIAL,
                threema_locations("ThreemaLibre"),
            ),
            Variant(
                "ch.threema.app.onprem",
                "Threema OnPrem",
                Build.OFFICIAL,
                threema_locations("ThreemaOnPrem"),
            ),
            Variant("ch.threema.app.green", "Threema (internal)", Build.BETA),
            Variant("ch.threema.app.sandbox.work", "Threema Work (sandbox)", Build.BETA),
            Variant("ch.threema.app.red", "Threema (internal)", Build.BETA),
        ),
        profile=Profile(
            say("catalog.threema.operator", "Threema GmbH"),
            say("catalog.threema.seat", "Switzerland, servers in Switzerland"),
            say("catalog.threema.e2e_default", "yes, everything"),
            say("catalog.threema.registration", "random Threema ID, no phone number needed"),
            say("catalog.threema.source", "apps open source since December 2020"),
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
            say("catalog.wire.operator", "Wire Swiss GmbH"),
            say("catalog.wire.seat", "Berlin (HQ), Swiss holding; servers in Germany and Ireland"),
            say("catalog.wire.e2e_default", "yes, cannot be switched off"),
            say("catalog.wire.registration", "e-mail or user name, no phone number needed"),
            say("catalog.wire.source", "open source"),
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


__all__ = [
    "ANY_MEDIA",
    "AUDIO",
    "DOCUMENTS",
    "IMAGES",
    "MESSENGERS",
    "SIDELOAD_INSTALLERS",
    "STORES",
    "VARIANTS",
    "VIDEOS",
    "Advisory",
    "Archives",
    "Build",
    "Edition",
    "Location",
    "Messenger",
    "Profile",
    "Variant",
    "variants",
    "version_key",
]
