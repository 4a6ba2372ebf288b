"""Who installs apps on real phones (MSG-10): stores, makers' system installers, MDM agents.

Catalog data, each entry with where it comes from. Package names of stores and installers are
what ``installerPackageName`` / ``initiatingPackageName`` show in ``dumpsys package``
(messengers.md §1, §10; docs/sources.md, ``dumpsys package`` rule 14). Tags as in messengers.md:
untagged = the vendor's own page or listing; ``[secondary]`` = a third-party page; MVT =
mvt-project/mvt ``src/mvt/android/utils.py``.
"""

from __future__ import annotations

from checks.owners import DPCS

STORES: dict[str, str] = {
    "com.android.vending": "Google Play",  # MVT; managed Google Play installs show it too
    "org.fdroid.fdroid": "F-Droid",  # MVT (third-party store)
    "com.aurora.store": "Aurora Store (Google Play front end)",  # MVT
    # Threema's Huawei builds (messengers.md §1, §6.1).
    "com.huawei.appmarket": "Huawei AppGallery",
    "com.sec.android.app.samsungapps": "Samsung Galaxy Store",
}
"""Installers that are app stores (messengers.md §1; vendor stores for the Huawei builds)."""

SYSTEM_INSTALLERS: dict[str, str] = {
    # Meta's installer and app manager, preloaded by makers that ship Facebook/WhatsApp
    # (Meta Help Center "Meta App Installer" / "Meta App Manager"; Play listing of
    # com.facebook.system).
    "com.facebook.system": "Meta App Installer",
    "com.facebook.appmanager": "Meta App Manager",
    # Makers' own stores and app managers (the stores' package names as their Play/AppGallery
    # listings and the makers' support pages give them [secondary]).
    "com.xiaomi.mipicks": "Xiaomi GetApps",
    "com.xiaomi.market": "Xiaomi Mi Market",
    "com.heytap.market": "OPPO App Market (HeyTap)",
    "com.oppo.market": "OPPO App Market",
    "com.bbk.appstore": "vivo App Store",
    "com.amazon.venezia": "Amazon Appstore",
    "com.sec.android.preloadinstaller": "Samsung preload installer",
}
"""Installers of the phone's maker or the messenger's vendor that put preloaded apps on the
phone. They count only when the phone has them as system packages (a user-installed app of the
same name is not the maker's)."""

MDM_AGENTS: dict[str, str] = {
    **{package: owner.name for package, owner in DPCS.items()},
    # Agents beside the DPCs that install apps for the organisation (their Play listings).
    "com.microsoft.intune": "Microsoft Intune",
    "com.samsung.android.knox.kpu": "Knox Manage (Knox Platform for Enterprise)",
}
"""MDM agents that install apps for the organisation (managed Google Play shows as Google Play).
They count when the phone's device policy names them as an owner or active admin."""

SIDELOAD_INSTALLERS: dict[str, str] = {
    "com.google.android.packageinstaller": "package installer (an APK file)",  # MVT
    "com.android.packageinstaller": "package installer (an APK file)",  # MVT
    "com.android.shell": "adb install",
    # Makers' own copies of the package installer (what their file managers open an APK with)
    # [secondary]: the same sideload under another name.
    "com.miui.packageinstaller": "package installer (an APK file)",
    "com.samsung.android.packageinstaller": "package installer (an APK file)",
    "com.coloros.packageinstaller": "package installer (an APK file)",
    "com.oplus.packageinstaller": "package installer (an APK file)",
}
"""Installers that mean an APK file was installed by hand."""


def is_package_installer(package: str) -> bool:
    """A package installer under any maker's name (``….packageinstaller``): a sideload."""
    return package in SIDELOAD_INSTALLERS or package.rsplit(".", 1)[-1] == "packageinstaller"
