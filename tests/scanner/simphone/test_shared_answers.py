"""Phones serving one recording share what they derive from it (``phone.shared``): the
answers, device times and files stay each phone's own, only the work of deriving them is done
once per recording (a 1000-phone ``msgscan simulate --count`` parsed it 1000 times)."""

from __future__ import annotations

from msgspec.structs import replace

from scanner import recording
from scanner.recordings import build
from scanner.replay import RecordedShell
from scanner.simphone.phone import RecordedPhone, phone_server

A16 = recording.load(build.HERE / "android16-personal-whatsapp-telegram.json")

COMMANDS = [
    "pm path com.whatsapp",
    "pm path --user 0 org.telegram.messenger",
    "tail -c 22 /data/app/~~780df6eQm9n==/com.whatsapp-780df6eZm9v==/base.apk",
    "ls -la /sdcard",
    "stat /sdcard/Android",
    "getprop ro.build.version.sdk",
    "dumpsys package com.whatsapp",
    "pm list packages",
]


def test_two_phones_of_one_recording_share_their_derived_answers() -> None:
    a, b = phone_server(A16, index=0), phone_server(A16, index=1)
    pa, pb = a.responder, b.responder
    assert isinstance(pa, RecordedPhone) and isinstance(pb, RecordedPhone)
    assert pa._shell.derived is pb._shell.derived
    assert pa._shell._ranges is pb._shell._ranges


def test_shared_answers_are_the_unshared_ones() -> None:
    """Byte for byte, exit code and device time: the shared phone against a plain shell."""
    phone = RecordedPhone(A16)
    plain = RecordedShell(A16)
    for command in COMMANDS:
        got, want = phone._shell.run(command), plain.run(command)
        assert (got.stdout, got.stderr, got.exit_code, got.device_ms) == (
            want.stdout,
            want.stderr,
            want.exit_code,
            want.device_ms,
        ), command
    assert phone.files is RecordedPhone(A16).files


def test_another_recording_is_not_served_from_the_cache() -> None:
    other = replace(A16, files=())  # equal device, different object and files
    assert RecordedPhone(other)._shell.derived is not RecordedPhone(A16)._shell.derived
    assert RecordedPhone(other)._shell.derived.recording is other
