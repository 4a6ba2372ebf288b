"""Attestation lines in German: applied, expired and refused signed attestations carry message ids
(checks.attested, checks.evaluate) and render without English in a German report."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from checks.attested import TAMPERED, UNSIGNED, Claim, untrusted, with_claims
from checks.findings import Attestation
from checks.policy import DEFAULT
from reports.i18n import Lang, Texts
from reports.report import build_report
from scanner import recording
from scanner.app.scan import scan_result
from scanner.replay import ReplayTransport

ROOT = Path(__file__).resolve().parents[2]
A16 = ROOT / "scanner" / "recordings" / "android16-personal-whatsapp-telegram.json"
SERIAL = "MSGSCAN16PH"
ON = date(2026, 11, 20)
UNTIL = date.today() + timedelta(days=90)


def _claim(problem: Any = None, device: str = SERIAL, note: str = "secret chats only") -> Claim:
    a = Attestation(by="Team lead", on=ON, note=note, until=UNTIL, device=device)
    return Claim("MSG-07", a, "a.json", None if problem else "sha256:ab12", problem)


def _msg07(*claims: Claim) -> dict[str, Any]:
    policy = with_claims(DEFAULT, claims)
    result = scan_result(ReplayTransport(recording.load(A16)), policy, timeout=30)
    return next(f for f in build_report(result)["findings"] if f["check_id"] == "MSG-07")


@pytest.fixture(scope="module")
def refused() -> dict[str, Any]:
    return _msg07(
        _claim(TAMPERED),
        _claim(UNSIGNED, note="unsigned"),
        _claim(untrusted("sha256:cd34"), note="other key"),
        _claim(device="ANOTHERPHONE", note="other phone"),
    )


def test_refusals_keep_their_english_and_carry_ids(refused: dict[str, Any]) -> None:
    """The English of each refusal is what it always was; each line has an id and params."""
    ids = sorted(e.get("id", "") for e in refused["evidence"] if e["source"] == "attestation")
    assert ids == ["attest.other_phone", "attest.refused", "attest.refused", "attest.refused"]
    head = "the attestation by Team lead on 2026-11-20 (a.json)"
    texts = sorted(e["text"] for e in refused["evidence"] if e["source"] == "attestation")
    assert texts == sorted(
        [
            f"{head} is for another phone (ANOTHERPHONE), not this one: not applied",
            f"{head} is not applied: signed by key sha256:cd34, which this scan does not trust",
            f"{head} is not applied: the file is not signed",
            f"{head} is not applied: the file's signature does not verify: it was changed or "
            "forged",
        ]
    )
    params = [e["params"] for e in refused["evidence"] if e.get("id") == "attest.refused"]
    problems = [p["problem"] for p in params]
    assert {"attest.tampered", "attest.unsigned", "attest.untrusted"} == {p["id"] for p in problems}


def test_refusals_in_german(refused: dict[str, Any]) -> None:
    """German, with the German date and no English word of the English lines."""
    tx = Texts(Lang.DE)
    german = sorted(tx.evidence(e) for e in refused["evidence"] if e["source"] == "attestation")
    head = "die Bestätigung von Team lead am 20.11.2026 (a.json)"
    assert german == sorted(
        [
            f"{head} gilt für ein anderes Gerät (ANOTHERPHONE), nicht für dieses: nicht angewandt",
            f"{head} wird nicht angewandt: signiert mit Schlüssel sha256:cd34, dem diese Prüfung "
            "nicht vertraut",
            f"{head} wird nicht angewandt: die Datei ist nicht signiert",
            f"{head} wird nicht angewandt: die Signatur der Datei ist ungültig: sie wurde "
            "verändert oder gefälscht",
        ]
    )


def test_a_signed_attestation_in_german() -> None:
    """An applied signed attestation: its note keeps the person's words, the origin is German;
    the JSON note stays the English it always was."""
    f = _msg07(_claim())
    assert (
        f["attested"]["note"] == "secret chats only (signed attestation, a.json, key sha256:ab12)"
    )
    [line] = [e for e in f["evidence"] if e.get("id") == "attest.by"]
    until = UNTIL.strftime("%d.%m.%Y")
    assert (
        f"bestätigt von Team lead am 20.11.2026 bis {until}: secret chats only "
        "(signierte Bestätigung, a.json, Schlüssel sha256:ab12)"
    ) == Texts(Lang.DE).evidence(line)
    assert line["text"] == (
        f"attested by Team lead on 2026-11-20 until {UNTIL.isoformat()}: secret chats only "
        "(signed attestation, a.json, key sha256:ab12)"
    )
