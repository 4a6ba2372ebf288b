"""MSG-08 end to end: a re-signed "official" WhatsApp on a simulated phone over ADB/TCP."""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from scanner.app.cli import main
from scanner.recordings.build import SHIPPED, android16_personal
from scanner.recordings.construct import build
from scanner.simphone.phone import phone_server
from scanner.transport.interface import DEFAULT_STREAMS
from tests.apks import signed_test_apks


@pytest.fixture(autouse=True)
def private_adb_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANDROID_USER_HOME", str(tmp_path / "android-home"))


def apksigner_digest(apk: bytes, tmp: Path) -> str:
    """What Debian's apksigner says the signer is: the peer our parser must agree with."""
    path = tmp / "x.apk"
    path.write_bytes(apk)
    out = subprocess.run(
        ["apksigner", "verify", "--print-certs", "--min-sdk-version", "24", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return out.split("certificate SHA-256 digest: ")[1].split()[0]


def test_resigned_official_package_fails_over_tcp(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The policy pins the "vendor" key; the phone's com.whatsapp is the same app re-signed by
    another key: MSG-08 fails (critical), naming both digests, in 3 waves of shell streams."""
    apks = signed_test_apks()
    official = hashlib.sha256(apks.official.der).hexdigest()
    _, (model, product, device) = SHIPPED["android16-personal-whatsapp-telegram.json"]
    rec = build(
        replace(android16_personal(), apks={"com.whatsapp": apks.resigned, "org.telegram.messenger": apks.v2}),
        model=model, product=product, device=device,
    )  # fmt: skip
    policy = tmp_path / "policy.toml"
    policy.write_text(
        f'[signers]\n"com.whatsapp" = ["{official}"]\n"org.telegram.messenger" = ["{official}"]\n'
    )
    with phone_server(rec) as phone:
        code = main(["scan", "--format", "json", "--tcp", phone.address, "--policy", str(policy)])
        shells = [s for s in phone.services if s.startswith("shell")]
    report = json.loads(capsys.readouterr().out)
    msg08 = {f["package"]: f for f in report["findings"] if f["check_id"] == "MSG-08"}
    wa, tg = msg08["com.whatsapp"], msg08["org.telegram.messenger"]
    text = wa["evidence"][-1]["text"]
    resigned = apksigner_digest(apks.resigned, tmp_path)
    assert ("fail", "critical", "pass") == (wa["status"], wa["severity"], tg["status"])
    assert resigned == wa["evidence"][-1]["data"]["sha256"]
    colons = ":".join(official[i : i + 2] for i in range(0, 64, 2)).upper()
    assert colons in text and ":".join(resigned[i : i + 2] for i in range(0, 64, 2)).upper() in text
    assert 3 <= len(shells) <= 3 * DEFAULT_STREAMS and code != 0
