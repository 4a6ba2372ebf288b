"""A farm of different phones: specs of facts, each built into a recording by ``construct``.

``farm(n, seed)`` draws ``n`` phones the way a real fleet differs: Android 6 to 16, several makers,
personal phones and phones with a managed work profile, Samsung Secure Folder and Dual Messenger,
Android 14 clone profiles, Android 15+ private space, messengers current or outdated, from a
store or sideloaded, with or without chat backups and visible media, and some phones that are
unreachable, slow or never authorize the computer. Same seed, same farm (``random.Random``).

A ``FarmPhone`` is plain facts (JSON in and out: ``--farm-spec FILE`` takes a list of them) and
states what a scan must find (``expected``), derived from those facts by the checklist's rules
for the checks whose meaning is settled (MSG-01/02 for plain cases, MSG-03/04 storage, MSG-09
versions, MSG-10 sources, DEV-01..03). Expectations that the checklist amendment of 2026-12-02
changed and msgscan does not implement yet (issue 11: Secure Folder does not isolate, BYOD
personal WhatsApp is informational) carry ``pending`` with the reason.
The recording of a phone is made by ``farm_recording.recording``.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from checks.errors import UsageError
from scanner.files import write_atomic

RELEASE = {
    23: "6.0",
    24: "7.0",
    26: "8.0.0",
    28: "9",
    29: "10",
    30: "11",
    31: "12",
    33: "13",
    34: "14",
    35: "15",
    36: "16",
}
MAKERS = {  # manufacturer, brand, models as (model, device, first SDK, last SDK it got)
    "samsung": (
        "samsung",
        "samsung",
        [
            ("SM-G930F", "herolte", 23, 26),
            ("SM-G991B", "o1s", 30, 34),
            ("SM-A546B", "a54x", 33, 36),
            ("SM-S918B", "dm3q", 33, 36),
        ],
    ),
    "google": (
        "Google",
        "google",
        [
            ("Pixel 3", "blueline", 28, 31),
            ("Pixel 6", "oriole", 31, 35),
            ("Pixel 8", "shiba", 34, 36),
        ],
    ),
    "xiaomi": (
        "Xiaomi",
        "Redmi",
        [
            ("Redmi Note 4", "mido", 23, 24),
            ("Redmi Note 8", "ginkgo", 28, 30),
            ("2201117TG", "spes", 30, 34),
        ],
    ),
    "motorola": (
        "motorola",
        "motorola",
        [
            ("Moto G (4)", "athene", 23, 24),
            ("moto g(8)", "rav", 29, 30),
            ("moto g54 5G", "cancunf", 33, 35),
        ],
    ),
    "huawei": ("HUAWEI", "HONOR", [("FRD-L09", "HWFRD", 23, 26), ("ANE-LX1", "HWANE", 26, 29)]),
    "oneplus": (
        "OnePlus",
        "OnePlus",
        [("ONEPLUS A3003", "OnePlus3", 23, 28), ("CPH2449", "OP5958L1", 33, 36)],
    ),
}
MDM = "com.google.android.apps.work.clouddpc"
MDM_ADMIN = f"{MDM}/.receivers.CloudDeviceAdminReceiver"
KNOX = "com.samsung.android.knox.containeragent"
KNOX_ADMIN = f"{KNOX}/.ContainerAdminReceiver"
WA, WAB, TG, SIGNAL, THREEMA = (
    "com.whatsapp",
    "com.whatsapp.w4b",
    "org.telegram.messenger",
    "org.thoughtcrime.securesms",
    "ch.threema.app",
)
CURRENT, OUTDATED = ("2.26.41.74", 262641074), ("2.26.5.73", 262605073)
"""WhatsApp builds: current, and one inside CVE-2026-23866's range (2.25.8.0 through 2.26.7.10)."""
APP_IDS = {WA: 10233, WAB: 10245, TG: 10234, SIGNAL: 10160, THREEMA: 10161}
PROFILE_IDS = {"work": 10, "secure_folder": 150, "dual_messenger": 95, "clone": 11, "private": 12}
P, F, U = "pass", "fail", "unknown"


@dataclass(frozen=True, slots=True)
class Messenger:
    package: str
    user: int
    outdated: bool = False
    sideloaded: bool = False
    backups: int = 0
    media: int = 0
    """Files in the main images folder, visible to the gallery (no .nomedia)."""


@dataclass(frozen=True, slots=True)
class FarmPhone:
    serial: str
    maker: str
    model: str
    device: str
    sdk: int
    patch_age_days: int
    encrypted: bool
    profiles: tuple[str, ...]
    """Kinds besides the main user: work, secure_folder, dual_messenger, clone, private."""
    messengers: tuple[Messenger, ...]
    reach: str = "ok"
    """ok, slow (30 ms per packet), unreachable (no phone on the port) or unauthorized."""
    expected: tuple[dict[str, Any], ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> FarmPhone:
        fields = dict(raw)
        fields["profiles"] = tuple(fields.get("profiles", ()))
        fields["messengers"] = tuple(Messenger(**m) for m in fields.get("messengers", ()))
        # What a scan must find follows from the facts: a spec file's own "expected" is ignored.
        return _with_expectations(cls(**{**fields, "expected": ()}))

    def user_ids(self) -> list[int]:
        return [0, *(PROFILE_IDS[k] for k in self.profiles)]

    def kind_of(self, user: int) -> str:
        return next((k for k in self.profiles if PROFILE_IDS[k] == user), "main")


def _draw(rng: random.Random, i: int, today: date) -> FarmPhone:
    maker = rng.choice(sorted(MAKERS))
    model, device, first, last = rng.choice(MAKERS[maker][2])
    sdk = rng.choice([s for s in sorted(RELEASE) if first <= s <= last])
    profiles: list[str] = []
    if rng.random() < 0.35:
        profiles.append("work")
    if maker == "samsung" and sdk >= 28 and rng.random() < 0.5:
        profiles.append("secure_folder")
    if maker == "samsung" and sdk >= 24 and rng.random() < 0.4:
        profiles.append("dual_messenger")
    if sdk >= 34 and maker != "samsung" and rng.random() < 0.3:
        profiles.append("clone")
    if sdk >= 35 and rng.random() < 0.3:
        profiles.append("private")
    users = [0, *(PROFILE_IDS[k] for k in profiles)]
    messengers: list[Messenger] = []
    scenario = rng.random()
    if "work" in profiles and scenario < 0.5:
        messengers.append(Messenger(WAB, 10))
        if rng.random() < 0.5:  # BYOD: private WhatsApp beside the work profile
            messengers.append(
                Messenger(WA, 0, backups=rng.choice((0, 2)), media=rng.choice((0, 9)))
            )
    elif scenario < 0.8:
        messengers.append(
            Messenger(
                WA,
                0,
                outdated=rng.random() < 0.3,
                sideloaded=rng.random() < 0.15,
                backups=rng.choice((0, 0, 1, 3)),
                media=rng.choice((0, 4, 20)),
            )
        )
    elif scenario < 0.9:
        messengers.append(Messenger(WAB, 0, backups=rng.choice((0, 2))))
    for kind in ("secure_folder", "dual_messenger", "clone", "private"):
        if kind in profiles and rng.random() < 0.7:
            messengers.append(Messenger(WA, PROFILE_IDS[kind]))
    for pkg in (TG, SIGNAL, THREEMA):
        if rng.random() < 0.25:
            messengers.append(Messenger(pkg, rng.choice(users)))
    reach = rng.choices(("ok", "slow", "unreachable", "unauthorized"), (84, 6, 6, 4))[0]
    phone = FarmPhone(
        serial=f"FARM{i + 1:04d}",
        maker=maker,
        model=model,
        device=device,
        sdk=sdk,
        patch_age_days=rng.choice((12, 40, 75, 200, 700)),
        encrypted=sdk >= 29 or rng.random() < 0.7,
        profiles=tuple(profiles),
        messengers=tuple(messengers),
        reach=reach,
    )
    return _with_expectations(phone)


def farm(n: int, seed: int = 0, *, today: date | None = None) -> list[FarmPhone]:
    """``n`` different phones. From 10 phones on, the ends are always there: an unencrypted
    Android 6 phone, an Android 16 Samsung with work profile, Secure Folder, Dual Messenger and
    private space, and one unreachable, one slow and one unauthorized phone."""
    rng = random.Random(seed)
    today = today or date.today()
    phones = [_draw(rng, i, today) for i in range(n)]
    if n >= 10:  # the ends of the range, whatever the dice said
        phones[0] = _with_expectations(
            FarmPhone(
                "FARM0001",
                "samsung",
                "SM-G930F",
                "herolte",
                23,
                700,
                False,
                (),
                (Messenger(WA, 0, outdated=True, backups=2, media=4),),
            )
        )
        phones[1] = _with_expectations(
            FarmPhone(
                "FARM0002",
                "samsung",
                "SM-S918B",
                "dm3q",
                36,
                12,
                True,
                ("work", "secure_folder", "dual_messenger", "private"),
                (Messenger(WAB, 10), Messenger(WA, 150), Messenger(WA, 95), Messenger(TG, 12)),
            )
        )
        for at, reach in ((2, "unreachable"), (3, "slow"), (4, "unauthorized")):
            phones[at] = replace(phones[at], reach=reach)
    return phones


def _with_expectations(phone: FarmPhone) -> FarmPhone:
    """What a scan with the default policy must find on ``phone`` (see the module docstring)."""
    exp: list[dict[str, Any]] = []

    def want(
        check: str,
        status: str,
        package: str | None = None,
        user: int | None = None,
        pending: str | None = None,
    ) -> None:
        exp.append(
            {
                "check": check,
                "status": status,
                "package": package,
                "user": user,
                **({"pending": pending} if pending else {}),
            }
        )

    want("DEV-01", F if phone.patch_age_days > 90 else P)
    want("DEV-02", F if phone.sdk < 34 else P)
    want("DEV-03", P if phone.encrypted else F)
    was = [m for m in phone.messengers if m.package in (WA, WAB)]
    consumer = [m for m in was if m.package == WA]
    managed_business = any(m.package == WAB and phone.kind_of(m.user) == "work" for m in was)
    for m in was:
        kind = phone.kind_of(m.user)
        if m.package == WA:
            if kind == "main" and managed_business:
                want("MSG-01", "informational", WA, m.user)  # BYOD, private use
            elif kind in ("main", "work"):
                want("MSG-01", F, WA, m.user)
        elif not consumer:
            want("MSG-01", P, WAB, m.user)
        personal = kind in ("main", "dual_messenger", "clone", "private")
        if kind == "work":
            want("MSG-02", P, m.package, m.user)
        elif m.package == WA and personal and managed_business:
            # BYOD: the personal side (its clones and private space too) holds private use.
            want("MSG-02", "informational", m.package, m.user)
        elif kind == "secure_folder":
            want("MSG-02", F, m.package, m.user)  # Samsung's container, not an MDM
        else:
            want("MSG-02", F, m.package, m.user)
        apk = next(x for x in phone.messengers if x.package == m.package)  # one APK for all users
        want("MSG-09", F if apk.outdated else P, m.package, m.user)
        want("MSG-10", F if apk.sideloaded else P, m.package, m.user)
        if m.user != 0:
            want("MSG-03", U, m.package, m.user)  # the shell cannot read that profile's storage
        elif m.backups:
            want("MSG-03", F, m.package, m.user)
        if m.user == 0 and m.media:
            want("MSG-04", F, m.package, m.user)
    return FarmPhone(
        **{**{f: getattr(phone, f) for f in phone.__dataclass_fields__}, "expected": tuple(exp)}
    )


SPEC_FORMAT = "msgscan-farm"


def save_spec(phones: list[FarmPhone], path: Path) -> None:
    """Write a farm as a spec file (``--farm-spec`` reads it back; edit it to taste)."""
    data = {"format": SPEC_FORMAT, "version": 1, "phones": [p.to_json() for p in phones]}
    write_atomic(path, (json.dumps(data, indent=1) + "\n").encode())


def load_spec(path: Path) -> list[FarmPhone]:
    """Phones from a spec file; expectations are derived again from each phone's facts."""
    hint = f"pass a file written by `msgscan simulate --farm N --save-farm FILE` ({SPEC_FORMAT})"
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise UsageError(f"{path}: cannot read the farm spec ({e.strerror})", hint=hint) from None
    except ValueError as e:
        raise UsageError(f"{path}: not JSON ({e})", hint=hint) from None
    if (
        not isinstance(raw, dict)
        or raw.get("format") != SPEC_FORMAT
        or not isinstance(raw.get("phones"), list)
    ):
        raise UsageError(f"{path}: not a msgscan farm spec", hint=hint)
    phones = []
    for n, entry in enumerate(raw["phones"]):
        try:
            phone = FarmPhone.from_json(entry)
            if phone.sdk not in RELEASE or phone.reach not in (
                "ok",
                "slow",
                "unreachable",
                "unauthorized",
            ):
                raise ValueError(
                    f"sdk {phone.sdk} or reach {phone.reach!r} is not one the farm knows"
                )
            if any(k not in PROFILE_IDS for k in phone.profiles) or any(
                m.package not in APP_IDS or m.user not in phone.user_ids() for m in phone.messengers
            ):
                raise ValueError("a profile kind, messenger package or messenger user is not known")
        except (TypeError, ValueError, KeyError) as e:
            raise UsageError(f"{path}: phone {n + 1}: {e}", hint=hint) from None
        phones.append(phone)
    if not phones:
        raise UsageError(f"{path}: the farm spec lists no phone", hint=hint)
    return phones
