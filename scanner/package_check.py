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
    AllUsers,
    PackageList,
    cross_check,
    cross_check_user,
    parse_pm_list_all,
    parse_pm_list_packages,
    refused_users,
    usable,
)
from scanner.parse.users import parse_pm_list_users
from scanner.probes import Probe
from scanner.waves import FollowUp, Streams

NOT_MADE = "the cross-check of dumpsys package with pm list packages was not made"
_EXAMPLES = 3


def follow(then: FollowUp | None) -> FollowUp:
    """``then``'s follow-up streams, and the ``pm list`` stream once ``getprop`` has answered:
    user 0's lists and, for the other users ``pm list users`` named, one list of each (Android
    6-13) or one list of every user (14+, ``probes.PM_LIST_ALL``), in the same stream, so no
    wave is added (``pm list users`` and ``getprop`` end one stream together). When the
    all-users list failed, a stream of the per-user lists it could not replace (``_fallback``)."""
    users: list[int] = []
    sdk: list[int | None] = [None]

    def more(number: int, result: BatchResult) -> Streams:
        streams = list(then(number, result)) if then is not None else []
        out = result.outputs.get(probes.GETPROP.name)
        if out is not None:
            sdk[0] = _sdk(out)
            users[:] = _other_users(result.outputs.get(probes.USERS.name))
            streams.append((*probes.pm_list_probes(sdk[0]), *_per_user(sdk[0], users)))
        listed = result.outputs.get(probes.PM_LIST_ALL.name)
        if listed is not None and (again := _fallback(listed, users)):
            streams.append(tuple(probes.pm_user_list_probe(sdk[0], u) for u in again))
        return streams

    return more


def _per_user(sdk: int | None, users: Sequence[int]) -> tuple[Probe, ...]:
    if not users:
        return ()
    if sdk is not None and sdk >= probes.PM_LIST_ALL_SDK:
        return (probes.PM_LIST_ALL,)
    return tuple(probes.pm_user_list_probe(sdk, u) for u in users)


def _fallback(out: Output, users: Sequence[int]) -> list[int]:
    """The users whose own ``pm list packages --user N`` a failed all-users list asks for.
    Android 14-15 fail the whole list when the shell may not access one user (status 255,
    its ``SecurityException`` names the user): the others' lists are asked one by one, never
    the refused user's (``translateUserId`` refuses ``--user N`` alike). None after a list that
    answered (a user it shows no uid of was refused or not iterated: not made, said), after a
    garbled one (damage) or one damaged in transit."""
    if out.damaged is not None:
        return []
    refused = refused_users(out.text)
    if out.exit_code in (0, None):
        parsed = _parse_all(out)
        if parsed.unusable is None or parsed.garbled:
            return []
    return [u for u in users if u not in refused]


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
    own = [asked[name] for name in (*_NAMES, probes.PM_LIST_ALL.name) if name in asked]
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
    out = _answer(probe, outputs)
    if isinstance(out, str):
        return out
    if out.exit_code not in (0, None):
        return _failed(probe, out)
    return parse_pm_list_packages(out.text)


def _answer(probe: Probe, outputs: Mapping[str, Output]) -> Output | str:
    """The probe's output as it arrived, or why there is none to read."""
    out = outputs.get(probe.name)
    if out is None:
        return f"`{batch.command_line(probe.argv)}` was not answered"
    if out.damaged is not None:
        return f"`{batch.command_line(probe.argv)}` was damaged in transit"
    return out


def _failed(probe: Probe, out: Output) -> str:
    command = batch.command_line(probe.argv)
    return f"`{command}` failed (exit {out.exit_code}, {out.size} bytes of output)"


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
    every = _read_all(asked.get(probes.PM_LIST_ALL.name), outputs)
    named = _other_users(outputs.get(probes.USERS.name)) if every is not None else []
    if isinstance(every, AllUsers) and every.garbled:
        _damage(damaged, f"could not be checked against {_ALL}: {every.unusable}")
    elif isinstance(every, AllUsers) and every.unusable is None and 0 in every.lists:
        # User 0's installed and hidden states, which its -u lists cannot show (sound for the
        # same reason as another user's: no -u, no MATCH_ANY_USER; docs/sources.md).
        _check_user(0, _ALL, every.lists[0], packages, damaged)
    elif every is not None and (note := _check_in_all(0, every, packages, damaged)):
        notes.append(note.replace("user 0 (", "user 0's install states ("))  # review12: said
    by_user: dict[int, Probe | None] = dict.fromkeys([*_messenger_users(packages), *named])
    if isinstance(every, AllUsers) and every.unusable is None:  # review12: pm's own records
        by_user.update(dict.fromkeys(u for u, got in every.lists.items() if _holds_one(u, got)))
    by_user.update(_user_probes(asked))
    for user, probe in sorted(by_user.items()):
        if probe is None and every is not None:
            note = _check_in_all(user, every, packages, damaged)
        else:
            command = f"pm list packages --user {user}"
            note = _check_user(user, command, _read(probe, outputs), packages, damaged)
        if note is not None:
            notes.append(note)
    return notes


_ALL = "pm list packages (every user)"


def _holds_one(user: int, listed: PackageList) -> bool:
    """Whether pm lists a catalog messenger for ``user`` (other than 0): compared with the dump
    whether or not ``pm list users`` or the dump named the user (review12)."""
    return user != 0 and any(name in VARIANTS for name in listed.packages)


def _read_all(probe: Probe | None, outputs: Mapping[str, Output]) -> AllUsers | str | None:
    """The all-users list, or why it cannot be read; a failed one keeps the users its
    ``SecurityException`` names (Android 14-15: the shell may not access that user)."""
    if probe is None:
        return None
    out = _answer(probe, outputs)
    if isinstance(out, str):
        return out
    if out.exit_code not in (0, None):
        return AllUsers({}, refused_users(out.text), unusable=_failed(probe, out))
    return _parse_all(out)


def _parse_all(out: Output) -> AllUsers:
    """``out``'s all-users list, read once a scan (``_fallback`` reads it at its wave's end,
    ``check`` at the scan's): kept in the instance ``__dict__`` beside ``Output.text``, which
    no comparison, hash or pickle sees; a copy reads its own."""
    parsed: AllUsers | None = out.__dict__.get(_PARSED)
    if parsed is None:
        parsed = out.__dict__[_PARSED] = parse_pm_list_all(out.text)
    return parsed


_PARSED = "package_check.all_users"


def _check_in_all(
    user: int, every: AllUsers | str, packages: Sequence[Package], damaged: dict[str, str]
) -> str | None:
    """One other user's cross-check in the all-users list; the note when it was not made."""
    if isinstance(every, AllUsers) and every.garbled:
        return None  # damage, named once
    if isinstance(every, str):
        why = every
    elif user in every.refused:
        why = f"the shell may not access user {user}: {every.refused[user]}"
    elif every.unusable is not None:
        why = f"{_ALL}: {every.unusable}"
    elif user not in every.lists:
        why = f"{_ALL} showed no uid of user {user}: the user was not listed"
        if every.errors:
            why += f" ({'; '.join(every.errors)})"
    else:
        return _check_user(user, _ALL, every.lists[user], packages, damaged)
    return _not_made(user, why)


def _check_user(
    user: int,
    command: str,
    listed: PackageList | str | None,
    packages: Sequence[Package],
    damaged: dict[str, str],
) -> str | None:
    """One other user's cross-check; the note when it could not be made."""
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
            suffix = f" for user {user}" if command == _ALL else ""
            _damage(damaged, f"disagrees with {command}{suffix}: {found.describe(_EXAMPLES)}")
        return None
    return _not_made(user, why)


def _not_made(user: int, why: str) -> str:
    return (
        f"{NOT_MADE} for user {user} ({why}); the packages installed for user {user} are read "
        "from dumpsys package alone"
    )


def _damage(damaged: dict[str, str], why: str) -> None:
    damaged["packages"] = f"{damaged['packages']}; {why}" if "packages" in damaged else why
