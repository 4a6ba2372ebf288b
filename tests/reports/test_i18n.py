"""Every text a person reads exists in German and English, with the same placeholders."""

from __future__ import annotations

import pytest

from checks.catalog import MESSENGERS
from checks.registry import CHECKS
from checks import law
from reports.i18n import (
    Lang,
    MissingText,
    Texts,
    de_checks,
    lang_from_env,
    messages,
    source_names,
)
from reports.i18n.evidence import by_english
from reports.i18n.texts import fields


class TestCatalogs:
    def test_same_keys_in_both_languages(self) -> None:
        """A label added in one language and not the other is a test failure."""
        assert sorted(set(messages.EN) ^ set(messages.DE)) == []

    @pytest.mark.parametrize("key", sorted(messages.EN))
    def test_same_placeholders(self, key: str) -> None:
        """German and English fill the same {placeholders}."""
        assert fields(messages.EN[key]) == fields(messages.DE[key])

    @pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.info.id)
    def test_every_check_in_german(self, check) -> None:  # type: ignore[no-untyped-def]
        """Every rule has a German title, rationale and as many remediation steps as in English."""
        de = Texts(Lang.DE).check(check.info)

        assert de.title and de.rationale
        assert len(check.info.remediation) == len(de.remediation)

    def test_no_german_text_for_a_check_that_does_not_exist(self) -> None:
        """The German catalog names only checks the registry has."""
        assert sorted(set(de_checks.CHECKS) - {c.info.id for c in CHECKS}) == []

    def test_comparison_and_sources_in_german(self) -> None:
        """Every value of the article's messenger comparison and every app source has German."""
        values = {
            getattr(m.profile, f)
            for m in MESSENGERS
            if m.profile is not None
            for f in ("operator", "seat", "e2e_default", "registration", "source")
        }
        tx = Texts(Lang.DE)

        english = {v.english() for v in values}
        assert [] == [v for v in english | source_names() if not tx.catalog(v)]
        assert {v.english() for v in values} <= set(by_english(Lang.DE, "catalog."))

    def test_domain_words(self) -> None:
        """The German uses the domain's own terms (the rules' texts and the provisions they
        serve, ``checks.law``)."""
        german = " ".join(t.rationale + " ".join(t.remediation) for t in de_checks.CHECKS.values())
        german += " ".join(b.provision.cite_de + b.de for bs in law.LEGAL.values() for b in bs)

        for word in ("DSGVO", "Berufsgeheimnisträger", "Einwilligung", "Auftragsverarbeitung"):
            assert word in german

    def test_a_missing_key_raises(self) -> None:
        """Looking up a text that does not exist fails loudly, never shows the key."""
        with pytest.raises(MissingText):
            Texts(Lang.DE).t("no.such.key")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, Lang.EN),
        ({"LANG": "de_DE.UTF-8"}, Lang.DE),
        ({"LANG": "en_US.UTF-8"}, Lang.EN),
        ({"LANG": "de_AT.UTF-8", "LC_ALL": "C.UTF-8"}, Lang.EN),
        ({"LANG": "C", "LC_MESSAGES": "de_CH.UTF-8"}, Lang.DE),
        ({"LC_ALL": "", "LANG": "de"}, Lang.DE),
    ],
)
def test_language_from_the_locale(environ: dict[str, str], expected: Lang) -> None:
    """LC_ALL, then LC_MESSAGES, then LANG decide; German when it starts with "de"."""
    assert expected == lang_from_env(environ)


EVIDENCE_EXAMPLES = (
    "3 chat backup files (msgstore*.db.crypt*), 150.2 MiB, newest 2026-11-20, in /storage/emulated/0/WhatsApp/Databases",
    "37 files in WhatsApp Images, newest 2026-11-20, no .nomedia",
    "WhatsApp: 3 chat backup files in shared storage",
    "12 folders could not be read (permission denied), e.g. /storage/emulated/10/Pictures",
    "could not be read: permission denied: /storage/emulated/10/WhatsApp/Databases",
    "/storage/emulated/10/Pictures/Telegram could not be read: find failed (exit 1)",
    "WhatsApp Business media folders: 12 of 12 could not be read (permission denied: /storage/x)",
    "no chat backups in 4 places looked at (4 absent)",
    "no visible media in 6 folders looked at: 2 empty, 3 absent, 1 hidden by .nomedia",
    "com.example.cleaner can read WhatsApp images in shared storage of user 0: READ_MEDIA_IMAGES granted (images only)",
    ("2 other apps can read messenger data in shared storage of user 0 (personal profile): com.example.cleaner "
    "(WhatsApp images); com.example.files (WhatsApp chat backups, WhatsApp hidden media)"),
    "can read none of the exposed files: com.example.music (READ_MEDIA_AUDIO granted (audio only))",
    ("the catalog knows no folders of Telegram X: whether its data lies open in shared storage of user 0 "
    "(personal profile) must be checked by hand"),
    "2 preinstalled system apps can read it too (a.b, c.d); not counted: part of the firmware",
    "no other third-party app in user 10 (work profile) can read the messenger data found there",
    ("could not tell whether other apps with media access can read messenger media in shared storage of "
    "user 0 (personal profile): media folders could not be read"),
    "could not tell whether messenger data lies in shared storage of user 10 (work profile)",
    "no messenger data found in shared storage of user 0 (personal profile)",
    "no storage evidence was collected for chat backups of user 0 (personal profile)",
    "media of user 0 (personal profile) were not collected: the scan stopped early",
    "the catalog knows no media folder of Threema (internal); check the phone by hand",
    "Telegram keeps no local chat archive (cloud chats)",
    "Wire backups have no fixed name or folder; check the phone by hand",
    ("Google Drive backup is a setting inside WhatsApp that a non-root shell cannot read; check in the app: "
    "Settings > Chats > Chat backup > Back up to Google Drive must be Never (or end-to-end encrypted backup "
    "on, if the organisation allows it)"),
    "Signal does not save received media to shared storage by itself (copies are made by hand)",
    "ALLOW_BACKUP not set: Android's backup copies none of its data",
    "ALLOW_BACKUP set in the app's flags",
    "Android backup is off",
    "Android backup is on, transport com.google.android.gms/.backup.BackupTransportService",
    "Android backup is on but no selected transport was reported",
    "bmgr reported neither enabled nor disabled",
    "WhatsApp: its backup agent saves only a token file, no chats",
    "READ_CONTACTS, WRITE_CONTACTS granted for user 0",
    "contacts permissions not granted for user 0 (no entry)",
    "READ_CONTACTS granted but blocked by its app op; WRITE_CONTACTS denied for user 0",
    "a person must attest that only customer contacts who consented are stored",
    "Wire works without the phonebook and asks for none",
    ("the phone cannot show this; a person must attest that WhatsApp is not used for purely internal "
    "communication (policy [attest.ORG-02])"),
    "attested by J. Doe on 2026-11-01: checked with the team",
    "attested by J. Doe on 2026-11-01 until 2027-05-01",
    ("the attestation by J. Doe on 2026-05-01 expired on 2026-11-01: attest it again "
     "([[attest.MSG-07]])"),
    "not attested for this phone: record it in the policy as [[attest.MSG-06]] (device, by, on, until)",
    "no WhatsApp-family app installed",
    "consumer WhatsApp (com.whatsapp) installed for user 0 (personal profile)",
    "WhatsApp Business is also installed (users 0, 10)",
    ("Telegram installed for user 0 (personal profile): whether business chats are secret chats cannot "
    "be read without root"),
    "com.whatsapp is WhatsApp (official), not a known mod or clone",
    "the signer of com.whatsapp was not read",
    "the signer of com.whatsapp could not be read: pm path named no APK (exit 1)",
    ("com.whatsapp: the APK's signer (39:87, hash 1a2b) is not the one the package manager reports "
     "(signatures:[deadbeef]); the two views of the phone disagree"),
    ("ch.threema.app is signed by SHA-256 AB:CD (v3); no published reference digest exists for it: compare "
     "it with a known-good install and pin it in the policy's [signers] table"),
    ("com.whatsapp is signed by SHA-256 39:87 (v2), matching the WhatsApp original key (Play and "
     "whatsapp.com) (AppVerifier internal database (soupslurpr/AppVerifier), via messengers.md)"),
    ("com.whatsapp is signed by SHA-256 AB:AB (v3), a key rotated from the WhatsApp original key (Play) "
     "(AppVerifier), each rotation signed by the key before it; key rotation lineage 39:87 -> AB:AB"),
    ("com.whatsapp is signed by SHA-256 AB:AB (v3), not by the expected certificate 39:87 (WhatsApp "
     "original key, AppVerifier): a modified or repackaged build under the official name"),
    "version 2.26.41.74 is outside every known advisory's affected range (10 advisories, highest floor 2.26.7.11)",
    "version 2.19.100 lacks the fix for 8 of 10 known advisories",
    ("CVE-2019-3568: VoIP SRTCP buffer overflow (exploited by NSO); affected below 2.19.134; source "
    "https://www.cve.org/CVERecord?id=CVE-2019-3568"),
    "no security floor known: the catalog lists no advisory for Wire",
    "no security floor known: versionName missing",
    "installed by Google Play",
    ("the app is recorded as its own installer: an APK installed outside an app store (a self-updating "
    "download or a restore tool)"),
    ("installed by the MDM agent Microsoft Intune Company Portal (com.microsoft.windowsintune.companyportal), "
    "which does not manage this phone (not an owner or active admin)"),
    ("installed by the MDM agent Microsoft Intune Company Portal (com.microsoft.windowsintune.companyportal), "
    "an active device admin"),
    "installed by Meta App Installer (com.facebook.system), a system installer of the phone (preloaded app)",
    "installed by com.xiaomi.discover, a system app of the phone's firmware (the maker's installer)",
    "installed by package installer (an APK file)",
    "part of the phone's system image (preinstalled)",
    "no installer recorded: installed from an APK file (by adb or a file manager)",
    "Telegram is forbidden by policy acme",
    "Telegram is not forbidden by policy acme",
    "installed in user 0 (personal profile) beside 6 other third-party apps, outside any managed work profile",
    "installed only in user 10 (work profile), managed by profile owner com.example.dpc",
    "user 10 (secondary user) has no profile owner: no MDM manages it",
    "security patch 2026-06-05, 174 days old (policy allows 90)",
    "Android 10 (API 29); policy minimum Android 14 (API 34)",
    "min_android = 14",
    "storage: file-based encryption",
    "ro.crypto.state = unencrypted",
    "ro.build.version.sdk is not set or not a number",
    "the package list could not be read: dumpsys package failed (exit 1)",
    "installed by an unknown installer (com.example.store): not an app store, the MDM or trusted by the policy",
    "installed by com.example.mdm, which may be the MDM: the device policy could not be read",
    ("recorded installer is Google Play, but the install was started by adb install: an APK file installed "
    "under a store's name"),
    "com.gbwhatsapp is GBWhatsApp, a modified WhatsApp client not published by the vendor",
    "im.molly.app is Molly (Signal fork) (a third-party build of open-source code), not a known mod or clone",
    "versionName 'beta' is not a version number",
    "versionName missing",
    ("installed in user 0 (personal profile); the policy marks the phone dedicated to business but no MDM "
    "manages it: a person must attest that it is used for nothing else"),
    "fully managed phone (device owner com.example.mdm), dedicated to business by the policy",
    ("the phone is fully managed (device owner com.example.mdm) but the policy does not mark it dedicated "
    "to business"),
    "user 12 is not in the list of users, so its kind is not known",
    "WhatsApp archive folders: not collected",
    "nothing on this phone to check",
    "rule failed: ValueError: boom",
)


class TestEvidence:
    @pytest.mark.parametrize("text", EVIDENCE_EXAMPLES)
    def test_examples_in_german(self, text: str) -> None:
        """Each evidence form the rules write has a German form."""
        german = Texts(Lang.DE).evidence(text)

        assert german != text or text.startswith(("min_android", "ro.crypto"))

    def test_every_pattern_is_exercised(self) -> None:
        """No German pattern is dead: each is the first match of some example."""
        from reports.i18n.de_evidence import tables

        rules = tables()["rule"]

        first = {next(i for i, (p, _) in enumerate(rules) if p.fullmatch(t)) for t in EVIDENCE_EXAMPLES}

        assert sorted(set(range(len(rules))) - first) == []

    def test_every_line_of_the_shipped_recordings(self) -> None:
        """Every evidence line a scan of a shipped recording writes has German."""
        from checks.policy import DEFAULT
        from reports.i18n.de_evidence import translate
        from scanner import recording
        from scanner.app.scan import scan_result
        from scanner.recordings.build import HERE, SHIPPED
        from scanner.replay import ReplayTransport

        lines = {
            e.text
            for name in SHIPPED
            for f in scan_result(ReplayTransport(recording.load(HERE / name)), DEFAULT, timeout=30).findings
            for e in f.evidence
        }

        assert [] == sorted(t for t in lines if translate(t) is None)
