"""``attestations.awaiting`` cleans only the values it reads (session 23) and says what it said
when it cleaned each manual finding whole: the reference below is the function as it was."""

from __future__ import annotations

import random
from typing import Any

from checks.policy import ATTESTABLE
from reports.render.controls import clean_tree
from scanner.app.agent.attestations import awaiting


def whole(report: Any) -> list[dict[str, Any]]:
    try:
        out = []
        for found in report.get("findings", []):
            if found.get("status") != "manual":
                continue
            f = clean_tree(found)
            if f.get("attested") or f["check_id"] not in ATTESTABLE:
                continue
            texts = " ".join(str(e.get("text", "")) for e in f.get("evidence", []))
            why = (
                "expired"
                if " expired on " in texts
                else "not applied"
                if "not applied" in texts
                else "not attested"
            )
            out.append(
                {
                    "check_id": f["check_id"],
                    "package": f.get("package"),
                    "profile": f.get("profile"),
                    "why": why,
                }
            )
    except (AttributeError, KeyError, TypeError):
        return []
    return out


IDS = [*sorted(ATTESTABLE), "MSG-99"]
BITS = ["", "x", "\x1b[31m", "\u200b", " expired on ", "not applied", "a\x7fb", "\u202e"]


def text(rng: random.Random) -> str:
    return "".join(rng.choice(BITS) for _ in range(rng.randint(0, 3)))


def value(rng: random.Random, depth: int = 0) -> Any:
    r = rng.random()
    if depth > 3 or r < 0.3:
        return rng.choice([None, 1, True, text(rng), rng.choice(IDS)])
    if r < 0.6:
        return [value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    keys = ["text", "check_id", "attested", "evidence", "package", "profile", "status"]
    return {rng.choice([*keys, text(rng)]): value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def finding(rng: random.Random) -> dict[str, Any]:
    f: dict[str, Any] = {}
    for k in ["check_id", "status", "attested", "evidence", "package", "profile", "text"]:
        if rng.random() < 0.15:
            continue
        key = k if rng.random() < 0.8 else rng.choice(["\u200b", "\x1b[0m", "\x7f"]) + k
        if k == "status":
            f[key] = rng.choice(["manual", "manual", "pass", text(rng)])
        elif k == "check_id":
            f[key] = rng.choice([*IDS, text(rng), [1]])
        elif k == "evidence":
            f[key] = rng.choice(
                [
                    [{"text": text(rng), "data": value(rng)} for _ in range(3)],
                    value(rng),
                    [text(rng)],
                    {"text": "x"},
                    "abc",
                ]
            )
        else:
            f[key] = value(rng)
    return f


def test_the_same_as_cleaning_each_finding_whole() -> None:
    rng = random.Random(23)
    for _ in range(20000):
        report = {"findings": [finding(rng) for _ in range(rng.randint(0, 4))]}
        assert awaiting(report) == whole(report)


def test_a_scanned_phones_items() -> None:
    report = {
        "findings": [
            {"check_id": "ORG-01", "status": "manual", "attested": None, "package": None,
             "profile": None, "evidence": [{"text": "not attested \u200byet", "data": {}}]},
            {"check_id": "MSG-06", "status": "manual", "attested": None,
             "package": "com.whats\u200bapp", "profile": 0,
             "evidence": [{"text": "attested, expired on 2026-01-01"}]},
            {"check_id": "MSG-06", "status": "manual", "attested": {"by": "x"},
             "package": "org.telegram.messenger", "profile": 11, "evidence": []},
            {"check_id": "MSG-06", "status": "pass", "package": "p", "evidence": []},
        ]
    }  # fmt: skip
    assert awaiting(report) == [
        {"check_id": "ORG-01", "package": None, "profile": None, "why": "not attested"},
        {"check_id": "MSG-06", "package": "com.whatsapp", "profile": 0, "why": "expired"},
    ]
    assert awaiting(report) == whole(report)
