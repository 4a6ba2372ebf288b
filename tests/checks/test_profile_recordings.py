"""The profile recordings (scanner/recordings/profiles.py), replayed and judged by their metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.evaluate import evaluate
from checks.facts import Unseen
from checks.policy import DEFAULT, Policy
from scanner import recording
from scanner.collect import collect
from scanner.recordings import profiles
from scanner.replay import ReplayTransport
from tests.checks.factories import TODAY

NAMES = sorted(profiles.RECORDINGS)


def judged(name: str, policy: Policy = DEFAULT) -> dict[str, list[str]]:
    rec = recording.load(profiles.HERE / name)
    out: dict[str, list[str]] = {}
    snapshot = collect(ReplayTransport(rec))
    found = evaluate(snapshot, policy, today=TODAY, strict=True)
    # Findings come severe first; the metadata lists each check's items in install order.
    packages = () if isinstance(snapshot.packages, Unseen) else snapshot.packages
    installs = [(p.name, u) for p in packages for u in p.installed_for()]
    order = {install: i for i, install in enumerate(installs)}
    for f in sorted(found, key=lambda f: order.get((f.package or "", f.user_id or 0), -1)):
        out.setdefault(f.check_id, []).append(f.status.value)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_statuses_as_the_metadata_says(name: str) -> None:
    """Every rule the recording is about gives the statuses its metadata states."""
    expect = recording.load(profiles.HERE / name).meta["expect"]
    got = judged(name)
    assert (TODAY.isoformat(), expect["findings"]) == (
        expect["today"],
        {check: got[check] for check in expect["findings"]},
    )


@pytest.mark.parametrize("name", NAMES)
def test_built_by_code(name: str, tmp_path: Path) -> None:
    """Each file is exactly what profiles.py builds, and says it was constructed and how."""
    recording.save(profiles.made(name), tmp_path / name)
    assert (tmp_path / name).read_bytes() == (profiles.HERE / name).read_bytes()
    meta = recording.load(profiles.HERE / name).meta
    assert ("constructed", True) == (meta["source"], "not captured from a phone" in meta["how_made"])


def test_byod_forbidden_by_policy() -> None:
    """The BYOD phone under a policy forbidding personal WhatsApp fails MSG-01 and MSG-02."""
    got = judged("profiles-byod-intune-android14.json", Policy(personal_whatsapp_forbidden=True))
    assert (["fail", "pass"], ["fail", "pass"]) == (got["MSG-01"], got["MSG-02"])


def test_secure_folder_never_passes_isolation() -> None:
    """WhatsApp Business in Samsung's Secure Folder fails MSG-02, whatever its managed-profile flags."""
    assert ["fail"] == judged("profiles-secure-folder-android14.json")["MSG-02"]
