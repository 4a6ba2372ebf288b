"""Device hygiene an MDM compliance policy expects: patches, a supported Android, encryption.

DEV-01 patch-level, DEV-02 os-version, DEV-03 encryption. Facts from ``getprop``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import assert_never

from checks.facts import Encryption, Unseen
from checks.findings import BEYOND, Article, Evidence, Outcome, Severity, Status, say
from checks.rule import Context, check
from checks.rules._common import GETPROP, POLICY, unseen

_DEVICE_HYGIENE = Article(BEYOND, "Gerätesicherheit als Grundlage jeder beruflichen Nutzung")

SDK_OF_RELEASE = {
    6: 23,
    7: 24,
    8: 26,
    9: 28,
    10: 29,
    11: 30,
    12: 31,
    13: 33,
    14: 34,
    15: 35,
    16: 36,
}
"""Android major release -> its first API level (8.1 = 27 and 12L = 32 count as 8 and 12)."""


def sdk_of_release(release: int) -> int:
    """The API level a release starts at. Decision: releases after 16 are assumed to keep the
    one-level-per-release step (17 -> 37); releases before 6 map to 1 (anything passes)."""
    if release in SDK_OF_RELEASE:
        return SDK_OF_RELEASE[release]
    if release > max(SDK_OF_RELEASE):
        return SDK_OF_RELEASE[max(SDK_OF_RELEASE)] + release - max(SDK_OF_RELEASE)
    return 1


@check(
    id="DEV-01",
    slug="patch-level",
    title="Security patch level too old",
    severity=Severity.MEDIUM,
    article=_DEVICE_HYGIENE,
    rationale=(
        "Android's monthly security patches close flaws that let apps or messages take over the "
        "phone, and with it every messenger on it. A patch level older than the policy allows "
        "means known, often exploited flaws are open."
    ),
    remediation=(
        (
            "Install pending updates: Settings > System > Software update (Samsung: Settings > "
            "Software update > Download and install), then restart."
        ),
        "If no newer update is offered, the vendor no longer supports the phone: replace it.",
    ),
)
def patch_level(ctx: Context) -> Iterator[Outcome]:
    """Fail when ro.build.version.security_patch is more than policy.max_patch_age_days before
    today; pass otherwise (a future date passes); unknown when it is missing or unreadable."""
    identity = ctx.snapshot.identity
    if isinstance(identity, Unseen):
        yield unseen(ctx.snapshot, identity, GETPROP, "the device properties")
        return
    patch = identity.security_patch
    if patch is None:
        yield Outcome(
            Status.UNKNOWN,
            (
                Evidence.of(
                    say(
                        "device.not_set",
                        "{prop} is not set",
                        prop="ro.build.version.security_patch",
                    ),
                    GETPROP,
                ),
            ),
        )
        return
    age = (ctx.today - patch).days
    limit = ctx.policy.max_patch_age_days
    data = {"security_patch": patch.isoformat(), "age_days": age, "max_age_days": limit}
    text = say(
        "device.patch",
        "security patch {patch:date}, {age} days old (policy allows {limit})",
        patch=patch.isoformat(),
        age=age,
        limit=limit,
    )
    yield Outcome(Status.FAIL if age > limit else Status.PASS, (Evidence.of(text, GETPROP, data),))


@check(
    id="DEV-02",
    slug="os-version",
    title="Android version below the policy minimum",
    severity=Severity.MEDIUM,
    article=_DEVICE_HYGIENE,
    rationale=(
        "Old Android releases no longer receive security fixes, and newer messenger versions "
        "stop supporting them. The policy names the oldest release still accepted."
    ),
    remediation=(
        (
            "Update Android: Settings > System > Software update (Samsung: Settings > Software "
            "update > Download and install)."
        ),
        "If the phone gets no newer Android, replace it with one the vendor still supports.",
    ),
)
def os_version(ctx: Context) -> Iterator[Outcome]:
    """Fail when ro.build.version.sdk is below the first API level of policy.min_android;
    pass otherwise; unknown when the API level is not readable."""
    identity = ctx.snapshot.identity
    if isinstance(identity, Unseen):
        yield unseen(ctx.snapshot, identity, GETPROP, "the device properties")
        return
    if identity.sdk is None:
        yield Outcome(
            Status.UNKNOWN,
            (
                Evidence.of(
                    say(
                        "device.not_a_number",
                        "{prop} is not set or not a number",
                        prop="ro.build.version.sdk",
                    ),
                    GETPROP,
                ),
            ),
        )
        return
    minimum = ctx.policy.min_android
    floor = sdk_of_release(minimum)
    data = {
        "release": identity.release,
        "sdk": identity.sdk,
        "min_android": minimum,
        "min_sdk": floor,
    }
    release = identity.release or "?"
    text = say(
        "device.android",
        "Android {release} (API {sdk}); policy minimum Android {minimum} (API {floor})",
        release=release,
        sdk=identity.sdk,
        minimum=minimum,
        floor=floor,
    )
    yield Outcome(
        Status.FAIL if identity.sdk < floor else Status.PASS,
        (
            Evidence.of(text, GETPROP, data),
            Evidence.of(
                say("device.min_android", "min_android = {minimum}", minimum=minimum),
                POLICY,
                {"min_android": minimum},
            ),
        ),
    )


@check(
    id="DEV-03",
    slug="encryption",
    title="Storage not encrypted",
    severity=Severity.HIGH,
    article=_DEVICE_HYGIENE,
    rationale=(
        "Without storage encryption anyone holding the phone can read all messenger databases "
        "and media with a cable and a tool, screen lock or not."
    ),
    remediation=(
        (
            "Android 6-9: set a screen lock PIN, then Settings > Security > Encryption > Encrypt "
            "phone (keep it charging)."
        ),
        (
            "Android 10 and later encrypt every phone the vendor ships: an unencrypted one runs a "
            "modified system; reinstall the vendor's firmware or replace the phone."
        ),
    ),
)
def encryption(ctx: Context) -> Iterator[Outcome]:
    """Fail when ro.crypto.state says unencrypted or unsupported; pass for file-based,
    full-disk or encrypted of unreported type; unknown when ro.crypto.state is missing."""
    identity = ctx.snapshot.identity
    if isinstance(identity, Unseen):
        yield unseen(ctx.snapshot, identity, GETPROP, "the device properties")
        return
    state = identity.encryption
    data = {"encryption": state.value}
    match state:
        case Encryption.FILE_BASED | Encryption.FULL_DISK | Encryption.ENCRYPTED:
            words = {
                Encryption.FILE_BASED: say("device.fbe", "file-based encryption"),
                Encryption.FULL_DISK: say("device.fde", "full-disk encryption"),
                Encryption.ENCRYPTED: say("device.encrypted", "encrypted (type not reported)"),
            }[state]
            seen = say("device.storage", "storage: {words}", words=words)
            yield Outcome(Status.PASS, (Evidence.of(seen, GETPROP, data),))
        case Encryption.UNENCRYPTED | Encryption.UNSUPPORTED:
            yield Outcome(
                Status.FAIL,
                (
                    Evidence.of(
                        say("device.crypto_state", "ro.crypto.state = {state}", state=state.value),
                        GETPROP,
                        data,
                    ),
                ),
            )
        case Encryption.UNREPORTED:
            unset = say("device.not_set", "{prop} is not set", prop="ro.crypto.state")
            yield Outcome(Status.UNKNOWN, (Evidence.of(unset, GETPROP, data),))
        case _:
            assert_never(state)
