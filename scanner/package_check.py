"""The cross-check of ``dumpsys package`` against ``pm list packages`` in a scan (issue 12).

``follow`` asks ``pm list packages`` in the inventory's wave, as soon as the stream that holds
``getprop`` and ``pm list users`` has ended (its options depend on the SDK:
``probes.pm_list_probes``): user 0's lists and, in the same stream, those of every other user
``pm list users`` named (session 25: a work profile's, a clone's or a private space's install
states are otherwise read from the dump alone). ``check`` compares the lists with what the
package parser read (``scanner.parse.package_list``): user 0's with the whole dump, another
user's with its ``User N:`` states.

A disagreement is damage of ``dumpsys package`` (``Snapshot.damaged["packages"]``): no rule
that reads the package list passes or says "not applicable", the scan is incomplete (exit 2)
and the agent resolves nothing. A ``pm list`` that failed, was refused (old Android, a
``SecurityException``) or was not answered is not damage of the dump: the cross-check of that
user is then not made and the snapshot's problems say so, naming the user; nothing passes and
nothing fails because of it (a real capture holds no ``pm list``: its replay gets that note). One
that answered and cannot be read (``PackageList.garbled``) is damage: no app can write it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from checks.catalog import VARIANTS
from checks.facts import Package, Unseen
from scanner import batch, probes
from scanner.batch import BatchResult, Output
from scanner.names import is_user_id
from scanner.parse.getprop import parse_getprop
from scanner.parse.package_list import (
    PackageList,
    cross_check,
    cross_check_user,
    parse_pm_list_packages,
    usable,
)
from scanner.parse.users import parse_pm_list_users
from scanner.probes import Probe
from scanner.waves import FollowUp, Streams

NOT_MADE = "the cross-check of dumpsys package with pm list packages was not made"
_EXAMPLES = 3


def follow(then: FollowUp | None) -> FollowUp:
    """``then``'s follow-up streams, and the ``pm list`` stream once ``getprop`` has answered:
    user 0's lists and one of every other user ``pm list users`` named (the same stream, so no
    wave is added: ``pm list users`` and ``getprop`` end one stream together)."""

    def more(number: int, result: BatchResult) -> Streams:
        streams = list(then(number, result)) if then is not None else []
        out = result.outputs.get(probes.GETPROP.name)
        if out is not None:
            sdk = _sdk(out)
            users = _other_users(result.outputs.get(probes.USERS.name))
            others = [probes.pm_user_list_probe(sdk, u) for u in users]
            streams.append((*probes.pm_list_probes(sdk), *others))
        return streams

    return more


def _other_users(out: Output | None) -> list[int]:
    """The users other than 0 that ``pm list users`` named (ids Android allows), in order;
    none when it named more than ``MAX_OTHER_USERS`` (``check`` names that as damage)."""
    users = _named(out)
    return users if len(users) <= MAX_OTHER_USERS else []


MAX_OTHER_USERS = 32
"""More users than a phone holds (review11): a user's name is free text and a line break in it
forges ``UserInfo`` lines (``scanner.parse.users``); each named user would cost one more ``pm``
call in user 0's stream, and a few hundred outlast the scan's timeout, user 0's lists too."""


def _named(out: Output | None) -> list[int]:
    if out is None or out.damaged is not None or out.exit_code not in (0, None):
        return []
    return sorted({u.id for u in parse_pm_list_users(out.text) if u.id and is_user_id(u.id)})


def _sdk(out: Output) -> int | None:
    if out.damaged is not None or out.exit_code not in (0, None):
        return None
    value = parse_getprop(out.text).get("ro.build.version.sdk", "")
    return int(value) if value.isdigit() and len(value) < 4 else None


_USER = "pm-list-user:"


def _user_probes(asked: Mapping[str, Probe]) -> dict[int, Probe]:
    """The other users' ``pm list`` probes asked, by user (``probes.pm_user_list_probe``)."""
    found = {}
    for name, probe in asked.items():
        user = name.removeprefix(_USER)
        if name.startswith(_USER) and user.isdigit():
            found[int(user)] = probe
    return found


def asked(asked: Mapping[str, Probe]) -> list[Probe]:
    """The ``pm list`` probes the scan asked (for its records and the recorder)."""
    own = [asked[name] for name in _NAMES if name in asked]
    return [*own, *(p for _, p in sorted(_user_probes(asked).items()))]


_NAMES = tuple(f"pm-list-{kind}" for kind, _ in probes.PM_LIST_KINDS)


def _messenger_users(packages: Sequence[Package]) -> set[int]:
    """The users other than 0 that ``dumpsys package`` shows a catalog messenger installed for
    (ids Android allows): one whose list was not asked is named too."""
    return {
        uid
        for p in packages
        if p.name in VARIANTS
        for uid in p.installed_for()
        if uid and is_user_id(uid)
    }


def _read(probe: Probe | None, outputs: Mapping[str, Output]) -> PackageList | str | None:
    if probe is None:
        return None
    command = batch.command_line(probe.argv)
    out = outputs.get(probe.name)
    if out is None:
        return f"`{command}` was not answered"
    if out.damaged is not None:
        return f"`{command}` was damaged in transit"
    if out.exit_code not in (0, None):
        return f"`{command}` failed (exit {out.exit_code}, {out.size} bytes of output)"
    return parse_pm_list_packages(out.text)


def check(
    outputs: Mapping[str, Output],
    asked: Mapping[str, Probe],
    packages: Sequence[Package] | Unseen,
    hidden: Sequence[str],
    damaged: dict[str, str],
) -> list[str]:
    """Note a disagreement in ``damaged["packages"]``; return a note for each user whose
    cross-check could not be made (none when ``dumpsys package`` itself was not read: nothing
    to check). User 0 is checked against the whole dump (``cross_check``), every other user
    ``pm list users`` named against its ``User N:`` states (``cross_check_user``), and a user
    dumpsys shows a catalog messenger for whose list was not asked is named."""
    if isinstance(packages, Unseen):
        return []
    if len(named := _named(outputs.get(probes.USERS.name))) > MAX_OTHER_USERS:  # review11
        why = f"pm list users named {len(named)} other users (more than {MAX_OTHER_USERS})"
        _damage(damaged, f"could not be checked per user: {why}; a user name forged lines")
    lists: dict[str, PackageList | str] = {}
    for (kind, _), name in zip(probes.PM_LIST_KINDS, _NAMES, strict=True):
        if (value := _read(asked.get(name), outputs)) is not None:
            lists[kind] = value
    notes = []
    flags = dict(probes.PM_LIST_KINDS)
    garbled = [
        f"pm list packages {flags[kind]}: {v.unusable}"
        for kind, v in lists.items()
        if isinstance(v, PackageList) and v.garbled
    ]
    got = usable(lists)
    if garbled:  # answered, and unreadable: no app writes such a list (package_list)
        _damage(damaged, f"could not be checked against pm list packages: {'; '.join(garbled)}")
    elif isinstance(got, str):
        notes.append(
            f"{NOT_MADE} ({got}); a forged package block is found only where dumpsys shows it"
        )
    elif found := cross_check(packages, hidden, *got):
        _damage(damaged, f"disagrees with pm list packages: {found.describe(_EXAMPLES)}")
    by_user: dict[int, Probe | None] = dict.fromkeys(_messenger_users(packages))
    by_user.update(_user_probes(asked))
    for user, probe in sorted(by_user.items()):
        note = _check_user(user, _read(probe, outputs), packages, damaged)
        if note is not None:
            notes.append(note)
    return notes


def _check_user(
    user: int,
    listed: PackageList | str | None,
    packages: Sequence[Package],
    damaged: dict[str, str],
) -> str | None:
    """One other user's cross-check; the note when it could not be made."""
    command = f"pm list packages --user {user}"
    if isinstance(listed, PackageList) and listed.garbled:
        _damage(damaged, f"could not be checked against {command}: {listed.unusable}")
        return None
    if listed is None:
        why = f"{command} was not asked"
    elif isinstance(listed, str):
        why = listed
    elif listed.unusable is not None:
        why = f"{command}: {listed.unusable}"
    elif not listed.packages:
        why = f"{command} listed no package"  # a user that does not exist, or refused on 16
    else:
        found = cross_check_user(packages, user, listed)
        if found:
            _damage(damaged, f"disagrees with {command}: {found.describe(_EXAMPLES)}")
        return None
    return (
        f"{NOT_MADE} for user {user} ({why}); the packages installed for user {user} are read "
        "from dumpsys package alone"
    )


def _damage(damaged: dict[str, str], why: str) -> None:
    damaged["packages"] = f"{damaged['packages']}; {why}" if "packages" in damaged else why
