"""Nothing personal a phone prints reaches any msgscan output: not a name, number or message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner import probes, recording
from scanner.app.cli import main
from scanner.app.record import record
from scanner.recording import Command, Recording
from scanner.replay import ReplayTransport

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scanner" / "recordings" / "android16-personal-whatsapp-telegram.json"

NAME = "Erika Mustermann"
NUMBER = "+49 151 23456789"
NUMBER_PLAIN = "4915123456789"
MESSAGE = "Treffen wir uns morgen um 10 beim Notar?"
FILE = "Vertrag Erika Mustermann.pdf"
PLANTED = (NAME, "Mustermann", NUMBER, NUMBER_PLAIN, MESSAGE, FILE)


def _plant(argv: tuple[str, ...], out: bytes) -> bytes:
    """Put personal data where a real phone may print it."""
    if argv == probes.GETPROP.argv:
        return out + (
            f"[persist.sys.device_name]: [{NAME}s Galaxy]\n"
            f"[gsm.sim.msisdn]: [{NUMBER}]\n"
            f"[persist.radio.last_sms]: [{MESSAGE}]\n"
        ).encode()
    if argv == probes.USERS.argv:
        return out.replace(b":Owner:", f":{NAME}:".encode())
    if argv == probes.DEVICE_POLICY.argv:
        return out + f"  Organization name: {NAME} ({NUMBER})\n  {MESSAGE}\n".encode()
    if argv == probes.APP_OPS.argv:
        return out + f"  Uid u0a233:\n    Package com.whatsapp:\n      {NUMBER_PLAIN}: {MESSAGE}\n".encode()
    if argv[0] == "find" and "WhatsApp Documents" in argv[1]:
        return out + f"find: {argv[1]}/{FILE}: Permission denied\n{MESSAGE}\n".encode()
    if argv == probes.PACKAGES.argv:
        return out + f"  Package [com.whatsapp] (x):\n    lastDisabledCaller: {NAME}\n".encode()
    return out


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    base = recording.load(BASE)
    commands = tuple(Command(c.argv, _plant(c.argv, c.stdout), c.stderr, c.exit_code) for c in base.commands)
    path = tmp_path / "planted.json"
    recording.save(Recording(base.device, commands, base.meta), path)
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ("scan", "--format", "json"),
        ("scan", "--format", "text"),
        ("snapshot", "--json"),
        ("snapshot",),
    ],
)
def test_nothing_personal_in_any_output(
    planted: Path, argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    """Names, numbers, message text and file names planted in device output never reach output."""
    main([*argv, "--replay", str(planted)])
    out, err = capsys.readouterr()
    assert [] == [p for p in PLANTED if p in out or p in err]


def test_nothing_personal_in_a_recording(planted: Path) -> None:
    """A recording made from that phone keeps none of it either."""
    made, _ = record(ReplayTransport(recording.load(planted)))
    blob = recording.dumps(made).decode()
    # Only probes msgscan scrubs can hold such data; others are kept raw, so check those two.
    kept = json.loads(blob)
    scrubbed = [c for c in kept["commands"] if c["argv"] in (["getprop"], ["pm", "list", "users"])]
    assert [] == [p for p in PLANTED for c in scrubbed if p in c["stdout"]]
