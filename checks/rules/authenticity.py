"""MSG-08 unofficial-client: mods, clones and builds not signed by the messenger's vendor.

Looks at the package list, each messenger's signing certificate (read from its installed
base.apk, ``Snapshot.signers``), the catalog's sourced reference digests (``checks.signers``) and
the policy's pinned ones; outcomes are per (package, user).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import assert_never

from checks.catalog import Build
from checks.facts import SignerEvidence, Unseen
from checks.findings import BEYOND, Article, Evidence, Outcome, Severity, Status
from checks.rule import Context, check
from checks.rules._common import (
    CATALOG,
    PACKAGES,
    Install,
    installs,
)
from checks.signers import colons, references

SIGNER = "base.apk signing block (pm path, tail -c, dd)"


@check(
    id="MSG-08",
    slug="unofficial-client",
    title="Unofficial or modified messenger client",
    severity=Severity.CRITICAL,
    article=Article(BEYOND, "folgt aus dem Datenschutzziel des Artikels"),
    rationale=(
        "Modified clients (GBWhatsApp, FMWhatsApp and similar) are built by unknown parties, are "
        "not security-reviewed, break the vendor's terms and have shipped malware (FMWhatsApp "
        "carried the Triada trojan). Everything typed into them should be treated as exposed."
    ),
    remediation=(
        "Uninstall the modified client: Settings > Apps > (the app) > Uninstall.",
        (
            "Install the official app from Google Play (WhatsApp Business, Telegram, Signal, "
            "Threema or Wire) and register again."
        ),
        (
            "Before the phone is used for business again, have IT check it for malware and change "
            "passwords typed on it."
        ),
    ),
)
def unofficial_client(ctx: Context) -> Iterator[Outcome]:
    """Fail for a known mod, and for an official name signed by a certificate that is not the
    vendor's (or the policy's pin); pass when the signer matches a reference, directly or by a
    verified key rotation; manual when no reference exists; unknown when the signer was not read.

    Decision: forks of open-source apps (Molly) are judged like official builds, against their
    own publisher's key: their source is public and they are not the repackaged closed clients
    this rule is about. A fork without a reference is ``manual``.
    """
    found = installs(ctx.snapshot)
    if isinstance(found, Outcome):
        yield found
        return
    signers = {s.package: s for s in ctx.snapshot.signers}
    for install in found:
        label, name = install.variant.label, install.name
        data: dict[str, object] = {"package": name, "build": install.variant.build.value}
        match install.variant.build:
            case Build.MOD:
                yield install.outcome(
                    Status.FAIL,
                    Evidence(
                        f"{name} is {label}, a modified "
                        f"{install.messenger.name.removesuffix(' mod')} client not published by "
                        "the vendor",
                        CATALOG,
                        data,
                    ),
                )
            case Build.FORK | Build.OFFICIAL | Build.BETA:
                kinds = {Build.BETA: "the vendor's beta build", Build.FORK: "a third-party build "
                         "of open-source code"}  # fmt: skip
                kind = kinds.get(install.variant.build, "official")
                named = Evidence(f"{name} is {label} ({kind}), not a known mod or clone", CATALOG, data)
                yield _signer_verdict(ctx, install, named, signers.get(name))
            case _:
                assert_never(install.variant.build)


def _signer_verdict(
    ctx: Context, install: Install, named: Evidence, found: SignerEvidence | None
) -> Outcome:
    name = install.name
    if found is None:
        return install.outcome(
            Status.UNKNOWN, named, Evidence(f"the signer of {name} was not read", PACKAGES)
        )
    cert = found.certificate
    if isinstance(cert, Unseen):
        return install.outcome(
            Status.UNKNOWN,
            named,
            Evidence(f"the signer of {name} could not be read: {cert.reason}", SIGNER,
                     {"apk": found.apk, "bytes_read": found.bytes_read}),
        )
    data: dict[str, object] = {
        "sha256": cert.sha256,
        "scheme": cert.scheme,
        "apk": found.apk,
        "bytes_read": found.bytes_read,
        "lineage": list(cert.lineage),
        "dumpsys_signatures": list(found.dumpsys_hashes),
    }
    digest = colons(cert.sha256)
    if found.dumpsys_hashes and cert.short_hash not in found.dumpsys_hashes:
        return install.outcome(
            Status.UNKNOWN,
            named,
            Evidence(
                f"{name}: the APK's signer ({digest}, hash {cert.short_hash}) is not the one the "
                f"package manager reports (signatures:[{', '.join(found.dumpsys_hashes)}]); "
                "the two views of the phone disagree",
                SIGNER,
                data,
            ),
        )
    refs = references(name, ctx.policy.signer_pins)
    if not refs:
        return install.outcome(
            Status.MANUAL,
            named,
            Evidence(
                f"{name} is signed by SHA-256 {digest} ({cert.scheme}); no published reference "
                "digest exists for it: compare it with a known-good install and pin it in the "
                "policy's [signers] table",
                SIGNER,
                data,
            ),
        )
    by_digest = {r.sha256: r for r in refs}
    lineage = f"; key rotation lineage {' -> '.join(colons(d) for d in cert.lineage)}" if cert.lineage else ""
    if cert.sha256 in by_digest:
        ref = by_digest[cert.sha256]
        data["reference"] = {"label": ref.label, "source": ref.source}
        return install.outcome(
            Status.PASS,
            named,
            Evidence(f"{name} is signed by SHA-256 {digest} ({cert.scheme}), matching the "
                     f"{ref.label} ({ref.source}){lineage}", SIGNER, data),
        )
    older = next((by_digest[d] for d in cert.lineage[:-1] if d in by_digest), None)
    if older is not None:
        data["reference"] = {"label": older.label, "source": older.source}
        return install.outcome(
            Status.PASS,
            named,
            Evidence(f"{name} is signed by SHA-256 {digest} ({cert.scheme}), a key rotated from "
                     f"the {older.label} ({older.source}), each rotation signed by the key "
                     f"before it{lineage}", SIGNER, data),
        )
    expected = ", ".join(f"{colons(r.sha256)} ({r.label}, {r.source})" for r in refs)
    data["expected"] = [r.sha256 for r in refs]
    return install.outcome(
        Status.FAIL,
        named,
        Evidence(f"{name} is signed by SHA-256 {digest} ({cert.scheme}), not by the expected "
                 f"certificate {expected}: a modified or repackaged build under the official "
                 f"name{lineage}", SIGNER, data),
    )
