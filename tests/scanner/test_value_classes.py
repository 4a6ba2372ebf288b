"""The device side's value classes as msgspec Structs (start-up: no ``dataclasses``): what the
dataclasses gave stays: frozen ones refuse changes and hash, mutable ones do not hash, equality
is by field and by class, copies (pickle, as a worker's result crosses processes; ``replace``)
are equal, ``repr`` names every field, defaults are fresh for each instance."""

from __future__ import annotations

import copy
import pickle
import threading

import pytest
from msgspec.structs import replace

from scanner.apk_reads import _Apk
from scanner.batch import BatchResult, Output
from scanner.parse.apk_signing import Eocd, Signer, ZipEntry
from scanner.parse.damage import Damage
from scanner.parse.dumpsys_package import Listing
from scanner.parse.package_facts import SharedUser
from scanner.parse.package_fields import Draft, UserDraft
from scanner.parse.text import Decoded
from scanner.probes import GETPROP, Probe, StorageTarget
from scanner.recording import Command, DeviceLabel, FileEntry, Recording
from scanner.replay import ShellOutput
from scanner.simphone.files import DirEntry, VirtualFile
from scanner.transport.interface import Meter, ShellResult

FROZEN = [
    Decoded("a", 0, ("text",)),
    GETPROP,
    ShellResult(b"x", b"e", 3),
    Output(0, b"r", "damaged", True),
    Eocd(1, 2),
    Signer("v3", b"der", 28, 33, (b"old", b"der")),
    ZipEntry(b"META-INF/A.RSA", 8, 10, 20, 30),
    Command(("getprop",), b"out", b"err", 1, 2.5),
    FileEntry("/sdcard/x", 0o100644, 1, 2, b"x"),
    DeviceLabel("serial"),
    ShellOutput(b"o", b"e", 0, 1.0),
    VirtualFile("/sdcard//x/", 0o644, 1, 2, b"x"),
]
MUTABLE = [Damage(), UserDraft(0), Draft("p", True), SharedUser()]


@pytest.mark.parametrize("value", FROZEN, ids=lambda v: type(v).__name__)
def test_a_frozen_value_refuses_changes_hashes_and_copies_equal(value: object) -> None:
    name = type(value).__struct_fields__[0]  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        setattr(value, name, getattr(value, name))
    again = pickle.loads(pickle.dumps(value))
    assert (again, hash(again), copy.deepcopy(value)) == (value, hash(value), value)
    assert repr(value).startswith(f"{type(value).__name__}({name}=")


@pytest.mark.parametrize("value", MUTABLE, ids=lambda v: type(v).__name__)
def test_a_mutable_value_does_not_hash_and_copies_equal(value: object) -> None:
    with pytest.raises(TypeError):
        hash(value)
    assert pickle.loads(pickle.dumps(value)) == value == copy.deepcopy(value)


def test_mutable_defaults_are_fresh_for_each_instance() -> None:
    first, second = Draft("p", True), Draft("p", True)
    first.flags.add("SYSTEM")
    first.users[0] = UserDraft(0)
    first.users[0].runtime["android.permission.CAMERA"] = True
    assert (second.flags, second.users, UserDraft(0).runtime) == (set(), {}, {})
    assert first != second
    assert (
        Damage().blocks is not Damage().blocks and SharedUser().install is not SharedUser().install
    )


def test_equality_is_by_field_and_by_class() -> None:
    assert ShellResult(b"x") == ShellResult(b"x", b"", None) != ShellResult(b"x", exit_code=0)
    assert ShellOutput(b"x", b"", 0) != ShellResult(b"x", b"", 0)
    assert Probe("p", ("a",)) == Probe("p", ("a",), None) != Probe("p", ("b",))
    damage = Damage()
    damage.note("unreadable", "com.x", 3)
    assert (bool(Damage()), bool(damage), damage != Damage()) == (False, True, True)


def test_copies_with_changed_fields_and_the_structures_that_hold_them() -> None:
    rec = Recording(DeviceLabel("s"), (Command(("a",), b""),), {"note": "x"})
    copied = replace(rec, device=replace(rec.device, serial="t"))
    assert (copied.device.serial, copied.commands, rec.device.serial) == ("t", rec.commands, "s")
    assert pickle.loads(pickle.dumps(rec)) == rec
    assert (
        Recording(DeviceLabel("s"), ()).meta == {} and Recording(DeviceLabel("s"), ()).files == ()
    )
    listing = Listing((), Damage())
    assert pickle.loads(pickle.dumps(listing)) == listing
    batch = BatchResult({"p": Output(0, b"t")}, (), None, ("c",))
    assert (batch.stream_of, pickle.loads(pickle.dumps(batch))) == ({}, batch)
    assert VirtualFile("x", 0o644, 1, 0, b"x") == VirtualFile("/x", 0o100644, 1, 0, b"x")
    with pytest.raises(ValueError):
        VirtualFile("/x", 0o644, 2, 0, b"x")
    entry = DirEntry("x", VirtualFile("/x", 0o644, 1, 0, b"x"))
    assert pickle.loads(pickle.dumps(entry)) == entry


def test_a_storage_target_and_an_apk_read_hold_their_fields() -> None:
    from checks.facts import EvidenceKind
    from checks.locations import Location

    location = Location("wa.media", EvidenceKind.MEDIA, "Android/media/{pkg}/Media")
    target = StorageTarget("com.x", 0, location, "/p", GETPROP, None)
    assert pickle.loads(pickle.dumps(target)) == target and hash(target) == hash(target)
    apk = _Apk("com.x", 0, None, ())
    other = _Apk("com.x", 0, None, ())
    apk.asked["k"] = ("cmd", ())
    assert (other.asked, apk.done, apk.key("eocd")) == ({}, False, "signer:com.x:eocd")


def test_a_meter_counts_under_its_lock_and_shows_its_numbers() -> None:
    """A plain class with a lock (no Struct: the lock takes part in no comparison or repr)."""
    meter = Meter()
    workers = [threading.Thread(target=meter.count, args=("ls", 10)) for _ in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    meter.wave(3)
    meter.wave(2)
    assert (meter.exchanges, meter.bytes_sent, meter.bytes_received) == (8, 16, 80)
    assert (meter.commands, meter.waves, meter.most_streams) == (["ls"] * 8, 2, 3)
    assert repr(Meter(commands=["a"])) == (
        "Meter(exchanges=0, bytes_sent=0, bytes_received=0, commands=['a'], waves=0, "
        "most_streams=0)"
    )
    assert Meter().commands is not Meter().commands
