"""MSG-08: mods by package name, and official names judged by their signing certificate."""

from __future__ import annotations

import pytest
from msgspec.structs import replace

from checks.facts import SignerEvidence, SigningCertificate, Unseen
from checks.policy import DEFAULT
from checks.rules.authenticity import unofficial_client
from checks.signers import REFERENCES
from tests.checks.factories import NA, F, M, P, U, app, findings, phone, statuses, texts

WHATSAPP, ROTATED = (r.sha256 for r in REFERENCES["com.whatsapp"])
OTHER = "ab" * 32


def signed(package: str, digest: str, *, lineage: tuple[str, ...] = (), short: str = "1a2b3c") -> SignerEvidence:
    cert = SigningCertificate("v3", digest, lineage, (), short)
    return SignerEvidence(package, f"/data/app/{package}-1/base.apk", cert, (short,), 4118)


def on_phone(*signers: SignerEvidence, packages: tuple[str, ...] | None = None):  # type: ignore[no-untyped-def]
    names = packages if packages is not None else tuple(s.package for s in signers)
    return replace(phone(*(app(n) for n in names)), signers=signers)


class TestUnofficialClient:
    def test_known_mod_fails_by_name(self) -> None:
        assert [F] == statuses(unofficial_client, on_phone(packages=("com.gbwhatsapp",)))

    def test_no_messenger(self) -> None:
        assert [NA] == statuses(unofficial_client, phone(app("com.example.notes")))

    @pytest.mark.parametrize("digest", [WHATSAPP, ROTATED])
    def test_vendor_keys_pass_naming_the_reference(self, digest: str) -> None:
        """Both published WhatsApp keys pass, and the evidence names which one and its source."""
        [finding] = findings(unofficial_client, on_phone(signed("com.whatsapp", digest)))
        text = finding.evidence[-1].text
        assert P == finding.status
        assert "matching the WhatsApp" in text and ("AppVerifier" in text or "apksigner review" in text)

    def test_unexpected_signer_fails_naming_both_digests(self) -> None:
        [finding] = findings(unofficial_client, on_phone(signed("com.whatsapp", OTHER)))
        text = finding.evidence[-1].text
        assert (F, "critical") == (finding.status, finding.severity.value)
        assert "AB:AB:AB" in text and "39:87:D0:43" in text and "FB:92:0D:38" in text

    def test_rotation_from_a_reference_key_passes_with_the_lineage(self) -> None:
        """A new key whose (verified) lineage starts at the vendor's key passes; the lineage is shown."""
        ev = signed("com.whatsapp", OTHER, lineage=(WHATSAPP, OTHER))
        text = texts(unofficial_client, on_phone(ev))[-1]
        assert [P] == statuses(unofficial_client, on_phone(ev))
        assert "rotated from the WhatsApp original key" in text and "39:87:D0" in text and "-> AB:AB" in text

    def test_no_reference_is_manual_with_the_digest(self) -> None:
        text = texts(unofficial_client, on_phone(signed("ch.threema.app", OTHER)))[-1]
        assert [M] == statuses(unofficial_client, on_phone(signed("ch.threema.app", OTHER)))
        assert "AB:AB" in text and "[signers]" in text

    def test_policy_pin_replaces_the_catalog(self) -> None:
        """A pinned digest passes; a signer that differs from the pin fails, even a vendor key."""
        pinned = replace(DEFAULT, signer_pins={"ch.threema.app": frozenset({OTHER}), "com.whatsapp": frozenset({OTHER})})
        assert [P] == statuses(unofficial_client, on_phone(signed("ch.threema.app", OTHER)), pinned)
        assert [F] == statuses(unofficial_client, on_phone(signed("com.whatsapp", WHATSAPP)), pinned)

    def test_unreadable_signer_is_unknown(self) -> None:
        ev = SignerEvidence("com.whatsapp", None, Unseen("pm path named no APK"), ())
        text = texts(unofficial_client, on_phone(ev))[-1]
        assert [U] == statuses(unofficial_client, on_phone(ev)) and "pm path named no APK" in text

    def test_signer_not_collected_is_unknown(self) -> None:
        assert [U] == statuses(unofficial_client, on_phone(packages=("com.whatsapp",)))

    def test_package_manager_disagreeing_is_unknown(self) -> None:
        """dumpsys's signatures:[…] must be the APK signer's hash, else neither view is trusted."""
        ev = replace(signed("com.whatsapp", WHATSAPP), dumpsys_hashes=("deadbeef",))
        text = texts(unofficial_client, on_phone(ev))[-1]
        assert [U] == statuses(unofficial_client, on_phone(ev)) and "deadbeef" in text

    def test_fork_is_judged_by_its_own_publishers_key(self) -> None:
        molly = REFERENCES["im.molly.app"][0].sha256
        assert [P] == statuses(unofficial_client, on_phone(signed("im.molly.app", molly)))
        assert [F] == statuses(unofficial_client, on_phone(signed("im.molly.app", OTHER)))
