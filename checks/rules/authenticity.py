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
from checks.findings import (
    BEYOND,
    Article,
    Evidence,
    Message,
    Outcome,
    Severity,
    Status,
    say,
)
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
                    Evidence.of(
                        say(
                            "auth.mod",
                            "{package} is {label}, a modified {name} client not "
                            "published by the vendor",
                            package=name,
                            label=label,
                            name=install.messenger.name.removesuffix(" mod"),
                        ),
                        CATALOG,
                        data,
                    ),
                )
            case Build.FORK | Build.OFFICIAL | Build.BETA:
                kinds = {
                    Build.BETA: say("auth.beta", "the vendor's beta build"),
                    Build.FORK: say("auth.fork", "a third-party build of open-source code"),
                }
                kind = kinds.get(install.variant.build) or say("auth.official", "official")
                named = Evidence.of(
                    say(
                        "auth.named",
                        "{package} is {label} ({kind}), not a known mod or clone",
                        package=name,
                        label=label,
                        kind=kind,
                    ),
                    CATALOG,
                    data,
                )
                yield _signer_verdict(ctx, install, named, signers.get(name))
            case _:
                assert_never(install.variant.build)


def _signer_verdict(
    ctx: Context, install: Install, named: Evidence, found: SignerEvidence | None
) -> Outcome:
    name = install.name
    if found is None:
        return install.outcome(
            Status.UNKNOWN,
            named,
            Evidence.of(
                say("auth.not_read", "the signer of {package} was not read", package=name), PACKAGES
            ),
        )
    cert = found.certificate
    if isinstance(cert, Unseen):
        return install.outcome(
            Status.UNKNOWN,
            named,
            Evidence.of(
                say(
                    "auth.unreadable",
                    "the signer of {package} could not be read: {reason:reason}",
                    package=name,
                    reason=cert.reason,
                ),
                SIGNER,
                {"apk": found.apk, "bytes_read": found.bytes_read},
            ),
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
            Evidence.of(
                say(
                    "auth.disagree",
                    "{package}: the APK's signer ({digest}, hash {hash}) is not "
                    "the one the package manager reports (signatures:[{hashes}]); the two views "
                    "of the phone disagree",
                    package=name,
                    digest=digest,
                    hash=cert.short_hash,
                    hashes=list(found.dumpsys_hashes),
                ),
                SIGNER,
                data,
            ),
        )
    refs = references(name, ctx.policy.signer_pins)
    if not refs:
        return install.outcome(
            Status.MANUAL,
            named,
            Evidence.of(
                say(
                    "auth.no_reference",
                    "{package} is signed by SHA-256 {digest} ({scheme}); no "
                    "published reference digest exists for it: compare it with a known-good "
                    "install and pin it in the policy's [signers] table",
                    package=name,
                    digest=digest,
                    scheme=cert.scheme,
                ),
                SIGNER,
                data,
            ),
        )
    by_digest = {r.sha256: r for r in refs}
    lineage: Message | str = ""
    if cert.lineage:
        lineage = say(
            "auth.lineage",
            "; key rotation lineage {chain}",
            chain=" -> ".join(colons(d) for d in cert.lineage),
        )
    signed = {"package": name, "digest": digest, "scheme": cert.scheme, "lineage": lineage}
    if cert.sha256 in by_digest:
        ref = by_digest[cert.sha256]
        data["reference"] = {"label": ref.label.english(), "source": ref.source.english()}
        return install.outcome(
            Status.PASS,
            named,
            Evidence.of(
                say(
                    "auth.matching",
                    "{package} is signed by SHA-256 {digest} ({scheme}), "
                    "matching the {ref} ({source}){lineage}",
                    ref=ref.label,
                    source=ref.source,
                    **signed,
                ),
                SIGNER,
                data,
            ),
        )
    older = next((by_digest[d] for d in cert.lineage[:-1] if d in by_digest), None)
    if older is not None:
        data["reference"] = {"label": older.label.english(), "source": older.source.english()}
        return install.outcome(
            Status.PASS,
            named,
            Evidence.of(
                say(
                    "auth.rotated",
                    "{package} is signed by SHA-256 {digest} ({scheme}), "
                    "a key rotated from the {ref} ({source}), each rotation signed by the "
                    "key before it{lineage}",
                    ref=older.label,
                    source=older.source,
                    **signed,
                ),
                SIGNER,
                data,
            ),
        )
    expected = [
        say(
            "auth.expected",
            "{digest} ({label}, {source})",
            digest=colons(r.sha256),
            label=r.label,
            source=r.source,
        )
        for r in refs
    ]
    data["expected"] = [r.sha256 for r in refs]
    return install.outcome(
        Status.FAIL,
        named,
        Evidence.of(
            say(
                "auth.unexpected",
                "{package} is signed by SHA-256 {digest} ({scheme}), "
                "not by the expected certificate {expected}: a modified or repackaged "
                "build under the official name{lineage}",
                expected=expected,
                **signed,
            ),
            SIGNER,
            data,
        ),
    )
