"""MVT 2.7.0 ``check-adb`` (the last release with ADB) runs unmodified against a recording.

MVT lives in its own venv, ``bench/.venv-mvt`` (``.ci/run`` makes it; see bench/mvt_compare.py).
In CI a missing MVT is a failure, locally a skip.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from scanner import probes, recording
from scanner.parse.dumpsys_package import parse_dumpsys_package
from scanner.recordings import build
from scanner.simphone import AuthPolicy
from scanner.simphone.phone import phone_server

ROOT = Path(__file__).resolve().parents[3]
MVT = ROOT / "bench" / ".venv-mvt" / "bin" / "mvt-android"


@pytest.mark.parametrize(
    "name", ["android14-work-profile-business.json", "android10-signal-threema-wire.json"]
)
def test_mvt_finds_every_package_with_version_and_installer(name: str, tmp_path: Path) -> None:
    if not MVT.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{MVT} is missing; .ci/run installs mvt==2.7.0 there")
        pytest.skip("MVT 2.7.0 is not installed in bench/.venv-mvt")
    rec = recording.load(build.HERE / name)
    env = {**os.environ, "HOME": str(tmp_path / "home"), "MVT_NETWORK_ACCESS_ALLOWED": "false"}
    with phone_server(rec, auth=AuthPolicy(accept_any_key=True)) as phone:
        done = subprocess.run(
            [
                str(MVT),
                "check-adb",
                "-s",
                phone.address,
                "-m",
                "Packages",
                "-n",
                "--fast",
                "-o",
                str(tmp_path / "out"),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        unanswered = [
            s
            for s in phone.services
            if s.startswith(("shell", "exec"))
            and phone.responder.run(s.split(":", 1)[1]).exit_code == 127
        ]
    assert done.returncode in (0, 1), done.stderr[-2000:]
    found = {
        p["package_name"]: p for p in json.loads((tmp_path / "out" / "packages.json").read_text())
    }
    expected = parse_dumpsys_package(rec.index()[probes.PACKAGES.argv].stdout.decode())
    assert {p.name: (p.version_name, p.installer) for p in expected} == {
        n: (p["version_name"], p["installer"]) for n, p in found.items()
    }
    assert [] == unanswered
