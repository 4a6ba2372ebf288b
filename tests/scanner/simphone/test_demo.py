"""``scan --demo``'s phone (scanner/simphone/demo.py): a bundled recording served in-process and
reached over ADB/TCP; closing the transport stops the phone and removes the throw-away key."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from scanner import recording
from scanner.simphone.adbd import PhoneServer
from scanner.simphone.demo import bundled, demo_transport

NAME = "android16-personal-whatsapp-telegram"


def test_demo_phone_answers_as_its_recording_and_goes_away_on_close() -> None:
    """The phone answers the recording's model over a real ADB connection; after close() its
    port refuses connections and the temporary key folder is gone."""
    seen: list[PhoneServer] = []
    transport = demo_transport(
        NAME,
        connect_timeout_s=30,
        auth_timeout_s=30,
        announce=lambda server, rec: seen.append(server),
    )
    keys = Path(transport._tmp.name)
    try:
        model = recording.load(bundled(NAME)).device.model
        out = transport.shell("getprop ro.product.model", timeout=30)
        assert model == out.stdout.decode().strip()
        assert [f"127.0.0.1:{seen[0].port}"] == [transport.serial]
        transport.max_output = 1234
        assert 1234 == transport._inner.max_output  # --max-output reaches the connection
        assert (keys / "adbkey").is_file()
    finally:
        transport.close()
    assert not keys.exists()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", seen[0].port), timeout=2):
        pass
