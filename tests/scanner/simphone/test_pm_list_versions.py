"""The simulated phone's ``pm list packages``, honest per Android version and from its model."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.facts import Package, PackageUser
from scanner import probes, recording
from scanner.recording import Recording
from scanner.recordings import build
from scanner.replay import RecordedShell
from scanner.simphone.commands import DerivedCommands
from scanner.simphone.pm_list import list_packages

SHIPPED = sorted(build.HERE.glob("*.json"))
APPS = (
    Package("com.whatsapp", 10233, "2", 7, "com.android.vending", frozenset(), users=(PackageUser(0, True),)),
    Package("android", 1000, "1", 29, None, frozenset({"SYSTEM"}), users=(PackageUser(0, True),)),
    Package("com.lib_12", 10300, "1", 12, None, frozenset({"SYSTEM"}), users=(PackageUser(0, True),)),
)


@pytest.mark.parametrize(("sdk", "code", "where"), [(23, 1, "stderr"), (25, 255, "stdout")])
@pytest.mark.parametrize("opt", ["-U", "--show-versioncode", "--uid"])
def test_options_of_android_8_are_unknown_before(sdk: int, code: int, where: str, opt: str) -> None:
    said = list_packages(APPS, [0], sdk, ["-3", opt, "10233"])
    assert code == said.exit_code
    assert f"Error: Unknown option: {opt}\n".encode() == getattr(said, where)


def test_android_8_prints_uid_and_version_code() -> None:
    said = list_packages(APPS, [0], 26, ["-3", "-u", "-i", "-U", "--show-versioncode"])
    assert (0, b"package:com.whatsapp versionCode:7  installer=com.android.vending uid:10233\n") == (
        said.exit_code,
        said.stdout,
    )
    system = list_packages(APPS, [0], 26, ["-s", "-u", "-i"])
    assert b"package:android  installer=null\n" == system.stdout  # no static library
    assert 255 == list_packages(APPS, [0], 28, ["--apex-only"]).exit_code
    assert (0, b"") == list_packages(APPS, [0], 29, ["--apex-only"])[2::-2]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_recorded_lists_are_what_the_model_prints(path: Path) -> None:
    """Each constructed recording holds the answer its phone derives for msgscan's two lists:
    recordings and farm phones built from the same spec agree."""
    rec = recording.load(path)
    derived = DerivedCommands(rec)
    sdk = int(derived.props["ro.build.version.sdk"])
    for probe in probes.pm_list_probes(sdk):
        held = next(c for c in rec.commands if c.argv == probe.argv)
        answer = derived.run(probe.argv)
        assert answer is not None and (held.stdout, held.exit_code) == (answer.stdout, answer.exit_code)
        assert held.stdout.startswith(b"package:") or b"package:" not in held.stdout


def test_a_recording_without_a_model_derives_no_list() -> None:
    """A real capture's recording holds no pm list and no model beside its dump: deriving the
    list from the dump would make the cross-check compare the dump with itself."""
    rec = recording.load(build.HERE / "android16-personal-whatsapp-telegram.json")
    kept = tuple(c for c in rec.commands if c.argv[:3] != ("pm", "list", "packages"))
    real = Recording(rec.device, kept, {"source": "recorded"}, rec.files)
    assert DerivedCommands(real).run(("pm", "list", "packages", "-3")) is None
    assert 127 == RecordedShell(real).run("pm list packages -3").exit_code
    constructed = Recording(rec.device, kept, rec.meta, rec.files)
    assert b"package:com.whatsapp\n" in RecordedShell(constructed).run("pm list packages -3").stdout
