"""MSG-09 outdated-messenger: builds inside a published advisory's affected range.

Looks at the package list only (plus the catalog and the policy); outcomes are per (package, user).
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.advisories import Advisory, version_key
from checks.findings import (
    BEYOND,
    Article,
    Evidence,
    Message,
    Outcome,
    Severity,
    Status,
    say,
    say_n,
)
from checks.rule import Context, check
from checks.rules._common import (
    CATALOG,
    PACKAGES,
    Install,
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


def _range(a: Advisory) -> Message:
    """ "2.25.8.0 up to (not including) 2.26.7.11", "below 7.1.0" (``Advisory.range``)."""
    if a.affected_from:
        return say(
            "versions.range",
            "{start} up to (not including) {fixed}",
            start=a.affected_from,
            fixed=a.fixed_in,
        )
    return say("versions.below", "below {fixed}", fixed=a.fixed_in)


def _version_outcome(install: Install) -> Outcome:
    version = install.package.version_name
    own = install.variant.advisories
    advisories = install.messenger.advisories if own is None else own
    if not advisories:
        why = say(
            "versions.no_advisory",
            "the catalog lists no advisory for {label}",
            label=install.variant.label,
        )
        return install.outcome(
            Status.NOT_APPLICABLE,
            Evidence.of(
                say("versions.no_floor", "no security floor known: {why}", why=why),
                CATALOG,
                {"version": version},
            ),
        )
    current = version_key(version) if version else None
    if current is None:
        return install.outcome(
            Status.UNKNOWN,
            Evidence.of(
                say("versions.missing", "versionName missing")
                if version is None
                else say(
                    "versions.not_a_number",
                    "versionName {version} is not a version number",
                    version=repr(version),
                ),
                PACKAGES,
                {"version": version},
            ),
        )
    missed = [a for a in advisories if a.affects(current)]
    if not missed:
        floor = max(advisories, key=lambda a: version_key(a.fixed_in) or ())
        return install.outcome(
            Status.PASS,
            Evidence.of(
                say_n(
                    "versions.outside",
                    "version {version} is outside every known advisory's affected range ({n} "
                    "advisory, highest floor {floor})",
                    "version {version} is outside every known advisory's affected range ({n} "
                    "advisories, highest floor {floor})",
                    len(advisories),
                    version=version,
                    floor=floor.fixed_in,
                ),
                PACKAGES,
                {"version": version, "advisories": len(advisories)},
            ),
        )
    evidence = [
        Evidence.of(
            say_n(
                "versions.lacks",
                "version {version} lacks the fix for {missed} of {n} known advisory",
                "version {version} lacks the fix for {missed} of {n} known advisories",
                len(advisories),
                version=version,
                missed=len(missed),
            ),
            PACKAGES,
            {"version": version, "missing": [a.id for a in missed]},
        )
    ]
    evidence += [
        Evidence.of(
            say(
                "versions.advisory",
                "{id}: {issue}; affected {range}; source {source}",
                id=a.name or a.id,
                issue=a.issue,
                range=_range(a),
                source=a.source,
            ),
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
