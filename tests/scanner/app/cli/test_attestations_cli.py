"""Attestations and statuses on the command line: what README's Policy and Statuses sections say."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scanner.app.cli import main

ROOT = Path(__file__).resolve().parents[4]
A16 = str(ROOT / "scanner" / "recordings" / "android16-personal-whatsapp-telegram.json")
SERIAL = "MSGSCAN16PH"
"""The serial of the Android 16 recording."""
README = (ROOT / "README.md").read_text(encoding="utf-8")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def scan_json(capsys: pytest.CaptureFixture[str], policy: Path) -> dict:  # type: ignore[type-arg]
    code, out, err = run(capsys, "scan", "--replay", A16, "--policy", str(policy), "--format", "json")
    assert code in (0, 1), err
    return json.loads(out)


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ('[attestations.ORG-01]\nby = "DPO"\non = 2026-10-01\n', "attestations",
         "unknown table [attestations]: attestations go under [attest]"),
        ('[attest.MSG-07]\ndevice = "X"\nby = "DPO"\non = 2026-10-01\nuntil = 2027-01-01\n',
         "attest.MSG-07", "MSG-07 is attested per phone"),
        ('[attest.MSG-05]\nby = "DPO"\non = 2026-10-01\n', "attest.MSG-05", "cannot be attested"),
        ('[[attest.MSG-06]]\ndevice = "X"\nby = "DPO"\non = 2026-10-01\n', "attest.MSG-06[0].until",
         "missing"),
    ],
)
def test_wrong_attestation_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, key: str, problem: str
) -> None:
    """A misnamed or misshaped attestation is refused: exit 2, naming the file and the key."""
    policy = tmp_path / "company.toml"
    policy.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "scan", "--replay", A16, "--policy", str(policy))

    assert 2 == code and "" == out
    assert f"error: {policy}: {key}: " in err and problem in err
    assert "hint: " in err


def test_attested_per_device_in_every_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """README: an attested item stays manual with who, when and until; one for another phone
    does not apply; an expired one leaves the item manual and says it expired."""
    policy = tmp_path / "company.toml"
    policy.write_text(
        f'[[attest.MSG-07]]\ndevice = "{SERIAL}"\nby = "Team lead"\non = 2026-11-01\n'
        "until = 2099-12-31\n"
        '[[attest.MSG-06]]\ndevice = "ANOTHERPHONE"\nby = "Team lead"\non = 2026-11-01\n'
        "until = 2099-12-31\n"
        '[attest.ORG-01]\nby = "DPO"\non = 2020-01-01\nuntil = 2020-12-31\n',
        encoding="utf-8",
    )
    report = scan_json(capsys, policy)
    by_id = {f["check_id"]: f for f in report["findings"] if f["package"] in (None, "com.whatsapp",
                                                                              "org.telegram.messenger")
             and f["status"] != "pass"}

    assert ("manual", "Team lead", "2099-12-31", SERIAL) == (
        by_id["MSG-07"]["status"], by_id["MSG-07"]["attested"]["by"],
        by_id["MSG-07"]["attested"]["until"], by_id["MSG-07"]["attested"]["device"],
    )
    assert ("manual", None) == (by_id["MSG-06"]["status"], by_id["MSG-06"]["attested"])
    assert by_id["ORG-01"]["attested"] is None
    assert "expired on 2020-12-31" in by_id["ORG-01"]["evidence"][-1]["text"]
    assert 1 == report["summary"]["attested"]

    code, text, _ = run(capsys, "scan", "--replay", A16, "--policy", str(policy))
    assert re.search(r"attested by Team lead on 2026-11-01, until 2099-12-31", text)


def test_checks_json_follows_the_checklist(capsys: pytest.CaptureFixture[str]) -> None:
    """`msgscan checks --json`: statuses with informational; attestable items and where; ORG-02
    and ORG-03 described as WhatsApp-only."""
    code, out, _ = run(capsys, "checks", "--json")
    data = json.loads(out)
    checks = {c["id"]: c for c in data["checks"]}

    assert 0 == code
    assert ["pass", "fail", "informational", "not_applicable", "manual", "unknown", "error"] == [
        s["status"] for s in data["statuses"]
    ]
    assert {
        "ORG-01": "[attest.ORG-01]", "ORG-02": "[attest.ORG-02]", "ORG-03": "[attest.ORG-03]",
        "MSG-03": "[[attest.MSG-03]]", "MSG-06": "[[attest.MSG-06]]", "MSG-07": "[[attest.MSG-07]]",
    } == {cid: c["attestable"]["policy"] for cid, c in checks.items() if c["attestable"]}
    for cid in ("ORG-02", "ORG-03"):
        assert "Only phones with a WhatsApp-family app" in checks[cid]["rationale"]


def test_every_text_names_the_table_the_loader_reads() -> None:
    """One name everywhere: no text tells people to fill in `attestations.<id>`."""
    texts = [README, (ROOT / "policy.example.toml").read_text(encoding="utf-8")]
    for folder in ("checks", "reports", "scanner"):
        texts += [p.read_text(encoding="utf-8") for p in (ROOT / folder).rglob("*.py")]
    texts += [p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md")]

    assert [] == [t[m.start() - 40:m.end() + 20] for t in texts
                  for m in re.finditer(r"attestations\.(ORG|MSG)-\d\d", t)]
    assert "[attest.ORG-01]" in README and "[[attest.MSG-07]]" in README


def test_readme_statuses_section() -> None:
    """README lists every status msgscan reports, informational among them."""
    from checks.findings import Status

    section = README[README.index("## Statuses"):]
    section = section[: section.index("\n## ", 5)]
    assert all(f"`{s.value}`" in section for s in Status)
