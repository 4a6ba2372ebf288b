"""Review 7: the agent deletes "each phone's report file after ``reports_retention_days``
without a new scan" (README). It deleted every ``*.json`` in the reports folder that old: a
signed attestation file kept there (``msgscan attest -o msg07.json``), an auditor's copy of
some other JSON, whatever shared the folder. Only msgscan reports are pruned now."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from scanner.app.agent.retention import prune_reports

OLD = time.time() - 200 * 86400


def _old(path: Path, text: str) -> Path:
    path.write_text(text)
    os.utime(path, (OLD, OLD))
    return path


def test_only_old_reports_go(tmp_path: Path) -> None:
    report = _old(tmp_path / "PHONE1.json", json.dumps({"schema_version": "1.3", "scan": {}}))
    compact = _old(tmp_path / "PHONE2.json", '{"schema_version":"1.3","scan":{}}')
    attestation = _old(tmp_path / "msg07.json", json.dumps({"attestations_version": 1}))
    other = _old(tmp_path / "inventory.json", "[1, 2, 3]")
    fresh = tmp_path / "PHONE3.json"
    fresh.write_text(json.dumps({"schema_version": "1.3"}))

    assert prune_reports(tmp_path, 90, {"fleet-summary.json"}) == 2
    assert not report.exists() and not compact.exists()
    assert attestation.exists() and other.exists() and fresh.exists()
