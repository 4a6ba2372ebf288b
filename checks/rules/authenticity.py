"""MSG-08 unofficial-client: mods, clones and builds not signed by the messenger's vendor.

Looks at the package list only (plus the catalog and the policy); outcomes are per (package, user).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import assert_never

from checks.catalog import Build
from checks.findings import BEYOND, Article, Evidence, Outcome, Severity, Status
from checks.rule import Context, check
from checks.rules._common import (
    CATALOG,
    installs,
)


@check(
    id="MSG-08",
    slug="unofficial-client",
    title="Unofficial or modified messenger client",
    severity=Severity.CRITICAL,
    article=Article(BEYOND, "folgt aus dem Datenschutzziel des Artikels"),
    rationale=(
        "Modified clients (GBWhatsApp, FMWhatsApp and similar) are built by unknown parties, are "
        "not security-reviewed, break the vendor's terms and have shipped malware (FMWhatsApp "
        "carried the Triada trojan). Everything typed into them must be taken as exposed."
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
    """Fail for a known mod; pass for official, vendor-beta and fork builds.

    Package names only: a mod installed under an official name is found by its signing
    certificate, which the deep mode reads; the evidence says it was not checked. Decision:
    forks of open-source apps (Molly) pass, named as forks: their source is public and they
    are not the repackaged closed clients this rule is about.
    """
    found = installs(ctx.snapshot)
    if isinstance(found, Outcome):
        yield found
        return
    unchecked = "signing certificate not checked (needs the deep mode)"
    for install in found:
        label, name = install.variant.label, install.name
        data = {"package": name, "build": install.variant.build.value}
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
            case Build.FORK:
                yield install.outcome(
                    Status.PASS,
                    Evidence(
                        f"{name} is {label}: a third-party build of open-source code, not a known "
                        f"mod or clone; {unchecked}",
                        CATALOG,
                        data,
                    ),
                )
            case Build.OFFICIAL | Build.BETA:
                kind = (
                    "the vendor's beta build" if install.variant.build is Build.BETA else "official"
                )
                yield install.outcome(
                    Status.PASS,
                    Evidence(
                        f"{name} ({label}, {kind}) is not a known mod or clone; {unchecked}",
                        CATALOG,
                        data,
                    ),
                )
            case _:
                assert_never(install.variant.build)
