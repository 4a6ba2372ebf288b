"""Review 7: ``checks.attested`` promises that a verified claim for another phone is named in a
report only "when it came from a file given for this scan (the policy's own attestations for
other phones stay silent)". The agent's state holds the fleet's attestations, and every one of
them was named in every other phone's report ("… is for another phone (R5CX…), not this one:
not applied"): each report carried the serials of the fleet's other phones and who attested
them, and the fleet summary put every unattested phone under "not applied" instead of "not
attested". Verified claims from the agent's state now stay silent on other phones."""

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


def _policy(tmp_path: Path, device: str) -> Policy:
    generate(tmp_path / "org.key")
    key = load_signing_key(tmp_path / "org.key")
    a = Attestation(by="Team lead", on=date(2026, 11, 1), until=date(2099, 1, 1), device=device)
    with State.open(tmp_path / "msgscan.db") as state:
        attestations.record(state, document([entry("MSG-07", a)], key), [("MSG-07", a)],
                            datetime.now(UTC))
        return attestations.policy_for_round(Policy(), state, key)


def test_another_phones_claim_says_nothing_here(tmp_path: Path) -> None:
    from checks.attested import refusals

    policy = _policy(tmp_path, "R5CXOTHERPHONE42")
    assert refusals(policy, "MSG-07", "MSGSCAN16PH", "org.telegram.messenger") == []
    # the claim still applies to its own phone
    valid, _ = policy.attestation("MSG-07", "R5CXOTHERPHONE42", "org.telegram.messenger",
                                  date(2026, 12, 2))
    assert valid is not None and valid.by == "Team lead"


def test_a_claim_naming_this_phones_serial_under_a_pseudonym_still_says_so(
    tmp_path: Path,
) -> None:
    from checks.attested import refusals

    policy = _policy(tmp_path, "MSGSCAN16PH")
    [line] = refusals(policy, "MSG-07", "anon-0123456789abcdef", "org.telegram.messenger",
                      serial="MSGSCAN16PH")
    assert line.id == "attest.by_serial"
