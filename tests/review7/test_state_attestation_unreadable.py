"""Review 7: every round reads the signed attestation files the agent's state holds. A row whose
document was edited into something that is no attestation file any more (not JSON, an entry
without its device or until) raised out of the round's policy: the agent could scan nothing
until someone repaired the database by hand. Such a document is now left out (and logged), as a
changed signature already is; the others still apply."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from checks.findings import Attestation
from checks.policy import Policy
from reports.attestation_file import document, entry
from reports.signing import generate
from scanner.app.agent import attestations
from scanner.app.agent.state import State
from scanner.app.keys import load_signing_key


def test_an_unreadable_document_costs_only_itself(tmp_path: Path) -> None:
    generate(tmp_path / "org.key")
    key = load_signing_key(tmp_path / "org.key")
    good = Attestation(by="Team lead", on=date(2026, 11, 1), until=date(2099, 1, 1),
                       device="PHONE1")
    with State.open(tmp_path / "msgscan.db") as state:
        now = datetime.now(UTC)
        attestations.record(state, document([entry("MSG-07", good)], key), [("MSG-07", good)], now)
        with state.transaction() as tx:
            tx.execute(
                "INSERT INTO attestations (check_id, device, package, by, made_on, until,"
                " recorded, document) VALUES ('MSG-06', 'PHONE1', NULL, 'x', '2026-11-01',"
                " '2099-01-01', ?, ?)",
                (now.isoformat(), b"{edited"),
            )
        policy = attestations.policy_for_round(Policy(), state, key)
    assert [a.device for a in policy.attestations.get("MSG-07", ())] == ["PHONE1"]
    assert "MSG-06" not in policy.attestations
