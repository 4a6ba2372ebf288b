"""Signed attestations in the agent's state: recorded by ``msgscan attest``, applied every round.

Table ``attestations`` (migration 3): one row per attested item, holding the whole signed file it
came from (``reports.attestation_file``). Nothing is trusted for being in the database: every
round reads the files again and checks their signatures against the agent's own key (``[agent]
signing_key``), so a row changed behind the agent's back is reported as not applied, never as
attested. Without a signing key the agent cannot check them and applies none (it logs why).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import structlog

from checks.attested import Claim, with_claims
from checks.errors import MsgscanError
from checks.findings import Attestation
from checks.policy import ATTESTABLE, Policy
from reports.attestation_file import read
from reports.render.controls import clean_tree, strip_controls
from reports.signing import SigningKey
from scanner.app.agent.state import State

log = structlog.get_logger("msgscan.agent.attestations")

SOURCE = "agent state"
"""How a report names attestations that came from the agent's state."""


def record(
    state: State, document: bytes, entries: Sequence[tuple[str, Attestation]], at: datetime
) -> int:
    """Store the signed ``document`` once per entry, in one transaction; returns the rows added."""
    with state.transaction() as tx:
        tx.executemany(
            "INSERT INTO attestations (check_id, device, package, by, made_on, until, recorded,"
            " document) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    c,
                    a.device,
                    a.package,
                    a.by,
                    a.on.isoformat(),
                    a.until.isoformat() if a.until else None,
                    at.isoformat(),
                    document,
                )
                for c, a in entries
            ],
        )
    return len(entries)


def documents(state: State) -> list[bytes]:
    """Every signed file recorded, oldest first, each once."""
    with state.transaction() as tx:
        rows = tx.execute(
            "SELECT document FROM attestations GROUP BY document ORDER BY min(id)"
        ).fetchall()
    return [bytes(r[0]) for r in rows]


def claims(state: State, key: SigningKey | None) -> list[Claim]:
    """Every recorded attestation, checked against the agent's key (none without a key)."""
    docs = documents(state)
    if not docs:
        return []
    if key is None:
        log.warning(
            "attestations.unchecked",
            files=len(docs),
            reason="no [agent] signing_key to check their signatures: none applied",
        )
        return []
    trusted = [key.private.public_key()]
    out: list[Claim] = []
    for doc in docs:
        try:
            out += read(doc, SOURCE, trusted)
        except MsgscanError as e:  # changed behind the agent's back: applies nothing, stops nothing
            log.warning("attestations.unreadable", problem=e.problem)
    return out


def policy_for_round(policy: Policy, state: State, key: SigningKey | None) -> Policy:
    """The policy a round judges by: ``policy`` with the state's attestations."""
    found = claims(state, key)  # the fleet's: a claim for another phone says nothing here
    return with_claims(policy, found, quiet=True) if found else policy


def prune(state: State, before: date) -> int:
    """Forget attestations that expired before ``before`` (retention); returns the rows gone."""
    with state.transaction() as tx:
        return tx.execute(
            "DELETE FROM attestations WHERE until IS NOT NULL AND until < ?", (before.isoformat(),)
        ).rowcount


def awaiting(report: Any) -> list[dict[str, Any]]:
    """What waits for attestation on one phone, from its report: each manual item a person can
    attest that is not attested, with why (``not attested``, ``expired``, ``not applied``). The
    report is the one a scan just wrote (``scanner.app.agent.scanned``: the round's summary then
    need not read each phone's report back), or one the summary read back and checked.
    The items are taken as the written file has them: their strings cleaned of controls."""
    try:
        out: list[dict[str, Any]] = []
        for found in report.get("findings", []):
            if found.get("status") != "manual":  # msgscan's own value: the same once cleaned
                continue
            f = _keys_cleaned(found)  # as ``JsonRenderer`` wrote it (a no-op on a file's)
            if clean_tree(f.get("attested")) or clean_tree(f["check_id"]) not in ATTESTABLE:
                continue
            texts = " ".join(_evidence_texts(f.get("evidence", [])))
            why = (
                "expired"
                if " expired on " in texts
                else "not applied"
                if "not applied" in texts
                else "not attested"
            )
            out.append(
                {
                    "check_id": clean_tree(f["check_id"]),
                    "package": clean_tree(f.get("package")),
                    "profile": clean_tree(f.get("profile")),
                    "why": why,
                }
            )
    except (AttributeError, KeyError, TypeError):
        return []
    return out


def _keys_cleaned(found: dict[Any, Any]) -> dict[Any, Any]:
    """``found`` with its keys as ``clean_tree`` writes them, its values as they are: each value
    read is cleaned on its own (``clean_tree(found)[k]`` is ``clean_tree`` of the value kept
    under ``k``), not the whole finding with its evidence data (8 manual findings, ~16 KB, a
    300-package phone)."""
    return {strip_controls(k) if isinstance(k, str) else k: v for k, v in found.items()}


def _evidence_texts(evidence: Any) -> list[str]:
    """``str(e.get("text", ""))`` of each ``e`` in ``clean_tree(evidence)``, cleaning only the
    texts (the same errors for what is not a list of dicts)."""
    items = evidence if isinstance(evidence, list | tuple) else clean_tree(evidence)
    return [
        str(clean_tree(_keys_cleaned(e).get("text", "")))
        if isinstance(e, dict)
        else str(clean_tree(e).get("text", ""))
        for e in items
    ]


__all__ = ["SOURCE", "claims", "documents", "policy_for_round", "prune", "record"]
