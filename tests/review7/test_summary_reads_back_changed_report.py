"""Review 7: the fleet summary takes a phone's columns (check -> worst status) and what awaits
attestation from the phone's report file whenever the round did not write it (a phone not
reached this round, every phone after the agent restarted, each nightly ``agent --once``). A
report edited on disk (its failures made passes) showed as passes in the fleet summary and page
the agent then sealed and signed. A report that no longer matches its seal is now read as no
columns (never a pass), and with the agent's key a failing signature counts as changed too."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from reports.i18n import Lang
from reports.integrity import seal_json
from reports.render.json import JsonRenderer
from reports.signing import generate
from scanner.app.agent import summary
from scanner.app.agent.rows import DeviceRow, DeviceState, ScanRow, Via
from scanner.app.keys import load_signing_key
from tests.reports.scans import replayed, scan

WHEN = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def key_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "org.key"
    generate(path)
    return path


def _report(key_path: Path | None) -> dict[str, Any]:
    k = load_signing_key(key_path) if key_path else None
    result = scan(replayed("android16-personal-whatsapp-telegram.json"))
    doc: dict[str, Any] = json.loads(JsonRenderer(Lang.EN, k).render(result))
    return doc


def _forged(doc: dict[str, Any]) -> dict[str, Any]:
    out = json.loads(json.dumps(doc))
    for f in out["findings"]:
        if f["status"] in ("fail", "manual"):
            f["status"] = "pass"
    return out


def _summary(path: Path, key_path: Path | None) -> dict[str, Any]:
    device = DeviceRow("MSGSCAN16PH", Via.TCP, WHEN, WHEN, DeviceState.UNREACHABLE, "gone",
                       "Pixel", "s1")
    row = ScanRow("s1", 1, "MSGSCAN16PH", WHEN, WHEN, DeviceState.SCANNED, True,
                  "non_compliant", 40.0, 9, str(path))
    out: dict[str, Any] = summary.fleet_summary(
        generated=WHEN, round_row=None, interrupted=False, devices=[device], last_scans=[row],
        drift={}, key=load_signing_key(key_path) if key_path else None,
    )
    return out


def test_an_unchanged_report_gives_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "MSGSCAN16PH.json"
    path.write_text(json.dumps(_report(None)))
    [row] = _summary(path, None)["devices"]
    assert "fail" in row["checks"].values()


def test_an_edited_report_shows_no_pass(tmp_path: Path) -> None:
    path = tmp_path / "MSGSCAN16PH.json"
    path.write_text(json.dumps(_forged(_report(None))))
    [row] = _summary(path, None)["devices"]
    assert "pass" not in row["checks"].values(), row["checks"]


def test_an_edited_report_with_a_new_digest_fails_the_agents_signature(
    tmp_path: Path, key_path: Path
) -> None:
    doc = _report(key_path)
    forged = seal_json(_forged(doc), None)
    forged["integrity"]["signature"] = doc["integrity"]["signature"]
    path = tmp_path / "MSGSCAN16PH.json"
    path.write_text(json.dumps(forged))
    [row] = _summary(path, key_path)["devices"]
    assert "pass" not in row["checks"].values(), row["checks"]
    # the genuine one, signed by the agent's key, still gives its columns
    path.write_text(json.dumps(doc))
    [row] = _summary(path, key_path)["devices"]
    assert "fail" in row["checks"].values()


def test_with_the_agents_key_an_unsigned_report_gives_no_columns(
    tmp_path: Path, key_path: Path
) -> None:
    """The signature removed and the digest rewritten, the file reads as unsigned: an agent with
    a key signs every report it writes, so it takes nothing from one its key did not sign."""
    forged = seal_json(_forged(_report(key_path)), None)
    path = tmp_path / "MSGSCAN16PH.json"
    path.write_text(json.dumps(forged))
    [row] = _summary(path, key_path)["devices"]
    assert row["checks"] == {}
