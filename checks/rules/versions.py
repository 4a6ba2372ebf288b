"""MSG-09 outdated-messenger: builds inside a published advisory's affected range.

Looks at the package list only (plus the catalog and the policy); outcomes are per (package, user).
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.advisories import version_key
from checks.findings import BEYOND, Article, Evidence, Outcome, Severity, Status
from checks.rule import Context, check
from checks.rules._common import (
    CATALOG,
    PACKAGES,
    Install,
    count,
    installs,
)


@check(
    id="MSG-09",
    slug="outdated-messenger",
    title="Messenger version with known security flaws",
    severity=Severity.HIGH,
    article=Article(BEYOND, "aktuelle App-Version mit geschlossenen Sicherheitslücken"),
    rationale=(
        "Messengers parse media and calls from anyone who knows the number; several of the "
        "listed flaws allowed code execution from a single message or call and were exploited. "
        "A version below the fix stays exposed however well the app is configured."
    ),
    remediation=(
        (
            "Update the app: Google Play > profile icon > Manage apps & device > Updates available "
            "> Update (or let the MDM push the update to the work profile)."
        ),
        (
            "Turn on automatic updates: Google Play > profile icon > Settings > Network "
            "preferences > Auto-update apps."
        ),
        (
            "If the app no longer updates on this Android version, move the messenger to a phone "
            "that still gets updates."
        ),
    ),
)
def outdated_messenger(ctx: Context) -> Iterator[Outcome]:
    """Fail inside any advisory's affected range (naming every one, with its CVE record or
    advisory); pass outside all; not applicable where no advisory is known; unknown when the
    version is not a version. Advisories are data in ``checks.advisories``."""
    found = installs(ctx.snapshot)
    if isinstance(found, Outcome):
        yield found
        return
    for install in found:
        yield _version_outcome(install)


def _version_outcome(install: Install) -> Outcome:
    version = install.package.version_name
    own = install.variant.advisories
    advisories = install.messenger.advisories if own is None else own
    if not advisories:
        why = f"the catalog lists no advisory for {install.variant.label}"
        return install.outcome(
            Status.NOT_APPLICABLE,
            Evidence(f"no security floor known: {why}", CATALOG, {"version": version}),
        )
    current = version_key(version) if version else None
    if current is None:
        return install.outcome(
            Status.UNKNOWN,
            Evidence(
                "versionName missing"
                if version is None
                else f"versionName {version!r} is not a version number",
                PACKAGES,
                {"version": version},
            ),
        )
    missed = [a for a in advisories if a.affects(current)]
    if not missed:
        floor = max(advisories, key=lambda a: version_key(a.fixed_in) or ())
        return install.outcome(
            Status.PASS,
            Evidence(
                f"version {version} is outside every known advisory's affected range "
                f"({count(len(advisories), 'advisory', 'advisories')}, highest floor "
                f"{floor.fixed_in})",
                PACKAGES,
                {"version": version, "advisories": len(advisories)},
            ),
        )
    evidence = [
        Evidence(
            f"version {version} lacks the fix for {len(missed)} of "
            f"{count(len(advisories), 'known advisory', 'known advisories')}",
            PACKAGES,
            {"version": version, "missing": [a.id for a in missed]},
        )
    ]
    evidence += [
        Evidence(
            f"{a.id}: {a.issue}; affected {a.range}; source {a.source}",
            CATALOG,
            {
                "id": a.id,
                "fixed_in": a.fixed_in,
                "affected_from": a.affected_from,
                "source": a.source,
                "source_kind": a.source_kind.value,
            },
        )
        for a in missed
    ]
    return install.outcome(Status.FAIL, *evidence)
