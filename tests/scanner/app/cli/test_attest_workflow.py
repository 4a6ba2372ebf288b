"""`msgscan attest` and `msgscan scan --attestations`: signed per-phone attestations as a workflow.

Pinned: an attested item stays manual with who/when/until in JSON, text and HTML; one for
another phone, with a bad or untrusted signature, or expired, is not applied and the report says
why; the file is 0600 and verifies with `msgscan verify`; the agent's state holds them and a
changed row is not applied; bad input exits 2.
"""

from __future__ import annotations

import html
import json
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from checks.findings import Attestation
from checks.policy import Policy
from reports.attestation_file import document, entry
from reports.signing import generate
from scanner.app.keys import load_signing_key
from scanner import recording
from scanner.app.agent import attestations
from scanner.app.agent.state import State
from scanner.app.cli import main
from scanner.app.scan import scan_result
from scanner.recordings import build
from scanner.replay import ReplayTransport

ROOT = Path(__file__).resolve().parents[4]
A16 = str(ROOT / "scanner" / "recordings" / "android16-personal-whatsapp-telegram.json")
SERIAL = "MSGSCAN16PH"
"""The serial of the Android 16 recording (Telegram: MSG-07 is manual there)."""
UNTIL = (date.today() + timedelta(days=90)).isoformat()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def key(tmp_path: Path) -> Path:
    path = tmp_path / "org.key"
    generate(path)
    return path


def attest(capsys: pytest.CaptureFixture[str], key: Path, out: Path, *extra: str,
           device: str = SERIAL) -> tuple[int, str, str]:
    return run(capsys, "attest", "MSG-07", "--device", device, "--by", "Team lead",
               "--until", UNTIL, "--note", "secret chats only", "--sign-key", str(key),
               "-o", str(out), *extra)


def scan(capsys: pytest.CaptureFixture[str], fmt: str, *extra: str) -> str:
    code, out, err = run(capsys, "scan", "--replay", A16, "--format", fmt, *extra)
    assert code in (0, 1), err
    return out


def msg07(report: dict[str, Any]) -> dict[str, Any]:
    return next(f for f in report["findings"] if f["check_id"] == "MSG-07")


def test_attested_in_every_format(capsys: pytest.CaptureFixture[str], tmp_path: Path, key: Path) -> None:
    """Attest MSG-07 for this phone; a scan with the file shows it attested (manual, who, when,
    until, signed) in JSON, text and HTML; without the file it is not attested."""
    out = tmp_path / "a.json"
    code, said, err = attest(capsys, key, out)
    assert 0 == code, err
    assert f"attested MSG-07 for {SERIAL} by Team lead" in said
    assert 0o600 == stat.S_IMODE(out.stat().st_mode)
    flags = ("--attestations", str(out), "--attestation-key", str(key) + ".pub")

    report = json.loads(scan(capsys, "json", *flags))
    f = msg07(report)
    assert ("manual", "Team lead", UNTIL, SERIAL, date.today().isoformat()) == (
        f["status"], f["attested"]["by"], f["attested"]["until"], f["attested"]["device"],
        f["attested"]["on"])
    assert "signed attestation, a.json, key sha256:" in f["attested"]["note"]
    assert 1 == report["summary"]["attested"]
    assert msg07(json.loads(scan(capsys, "json")))["attested"] is None

    line = f"attested by Team lead on {date.today().isoformat()}, until {UNTIL}"
    assert line in scan(capsys, "text", *flags)
    page = html.unescape(scan(capsys, "html", "--lang", "en", *flags))
    assert "Team lead" in page and UNTIL in page


def test_verify_accepts_the_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, key: Path) -> None:
    """The file is sealed like a report: `msgscan verify FILE --key PUB` says valid (exit 0)."""
    out = tmp_path / "a.json"
    attest(capsys, key, out)
    code, said, _ = run(capsys, "verify", str(out), "--key", str(key) + ".pub")
    assert 0 == code and said.startswith("VALID")


def test_another_phone_is_not_applied(capsys: pytest.CaptureFixture[str], tmp_path: Path, key: Path) -> None:
    out = tmp_path / "other.json"
    attest(capsys, key, out, device="ANOTHERPHONE")
    f = msg07(json.loads(scan(capsys, "json", "--attestations", str(out), "--sign-key", str(key))))

    assert ("manual", None) == (f["status"], f["attested"])
    assert any("is for another phone (ANOTHERPHONE), not this one: not applied" in e["text"]
               for e in f["evidence"])


def test_forged_is_not_applied(capsys: pytest.CaptureFixture[str], tmp_path: Path, key: Path) -> None:
    """One changed byte (another name) breaks the signature: not applied, and the report says so."""
    out = tmp_path / "a.json"
    attest(capsys, key, out)
    out.write_bytes(out.read_bytes().replace(b'"Team lead"', b'"Team leaD"'))
    f = msg07(json.loads(scan(capsys, "json", "--attestations", str(out), "--sign-key", str(key))))

    assert ("manual", None) == (f["status"], f["attested"])
    assert any("Team leaD" in e["text"] and "signature does not verify" in e["text"]
               for e in f["evidence"])


def test_untrusted_key_is_not_applied(capsys: pytest.CaptureFixture[str], tmp_path: Path, key: Path) -> None:
    out = tmp_path / "a.json"
    attest(capsys, key, out)
    other = tmp_path / "other.key"
    generate(other)
    f = msg07(json.loads(scan(capsys, "json", "--attestations", str(out), "--sign-key", str(other))))

    assert f["attested"] is None
    assert any("which this scan does not trust" in e["text"] for e in f["evidence"])


def test_expired_is_manual_again(capsys: pytest.CaptureFixture[str], tmp_path: Path, key: Path) -> None:
    """A signed attestation past its until date leaves the item manual; the report says it expired."""
    old = Attestation(by="Team lead", on=date(2025, 1, 2), until=date(2025, 3, 31), device=SERIAL)
    out = tmp_path / "old.json"
    out.write_bytes(document([entry("MSG-07", old)], load_signing_key(key)))
    f = msg07(json.loads(scan(capsys, "json", "--attestations", str(out), "--sign-key", str(key))))

    assert ("manual", None) == (f["status"], f["attested"])
    assert any("expired on 2025-03-31" in e["text"] for e in f["evidence"])


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["attest", "MSG-07", "--by", "X", "--until", UNTIL, "-o", "{tmp}/a.json"], "--device is missing"),
        (["attest", "MSG-07", "--device", "D", "--by", "X", "-o", "{tmp}/a.json"], "--until is missing"),
        (["attest", "MSG-07", "--device", "D", "--by", "X", "--until", "2020-01-01", "-o",
          "{tmp}/a.json"], "already over"),
        (["attest", "MSG-07", "--device", "D", "--by", "X", "--until", UNTIL], "nothing to record to"),
        (["attest", "MSG-07", "--device", "D", "--by", "X", "--on", "2099-01-01", "--until", UNTIL,
          "-o", "{tmp}/a.json"], "cannot be dated in the future"),
        (["attest", "MSG-07", "--device", "D", "--by", "X", "--until", UNTIL, "-o", "{tmp}/a.json"],
         "no signing key"),
        (["scan", "--replay", A16, "--attestations", "{tmp}/p.toml", "--sign-key", "{tmp}/org.key"],
         "not an attestation file"),
        (["scan", "--replay", A16, "--attestations", "{tmp}/p.toml"], "no key to check"),
    ],
)
def test_bad_input_exits_2(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                           tmp_path: Path, key: Path, argv: list[str], problem: str) -> None:
    monkeypatch.delenv("MSGSCAN_SIGNING_KEY", raising=False)
    (tmp_path / "p.toml").write_text("{}", encoding="utf-8")
    code, out, err = run(capsys, *[a.replace("{tmp}", str(tmp_path)) for a in argv])

    assert (2, "") == (code, out)
    assert problem in err and "hint: " in err
    assert not (tmp_path / "a.json").exists()


def test_not_attestable_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as e:
        main(["attest", "MSG-05", "--device", "D", "--by", "X", "-o", str(tmp_path / "a.json")])
    assert 2 == e.value.code and "MSG-05" in capsys.readouterr().err


def test_agent_state_applies_and_refuses_a_changed_row(tmp_path: Path, key: Path) -> None:
    """Recorded in the agent's state, an attestation applies to its phone's scan; a row changed
    in the database no longer verifies and is reported as not applied."""
    signing = load_signing_key(key)
    a = Attestation(by="DPO", on=date.today(), until=date.fromisoformat(UNTIL), device=SERIAL)
    data = document([entry("MSG-07", a)], signing)
    rec = recording.load(build.HERE / Path(A16).name)
    with State.open(tmp_path / "s.db") as state:
        assert 1 == attestations.record(state, data, [("MSG-07", a)], datetime.now(UTC))
        policy = attestations.policy_for_round(Policy(), state, signing)
        f = next(f for f in scan_result(ReplayTransport(rec), policy).findings if f.check_id == "MSG-07")
        assert ("manual", "DPO") == (f.status.value, f.attested.by if f.attested else None)

        assert Policy() == attestations.policy_for_round(Policy(), state, None)  # cannot check: none

        with state.transaction() as tx:
            tx.execute("UPDATE attestations SET document = ?", (data.replace(b'"DPO"', b'"CEO"'),))
        policy = attestations.policy_for_round(Policy(), state, signing)
        f = next(f for f in scan_result(ReplayTransport(rec), policy).findings if f.check_id == "MSG-07")
        assert f.attested is None
        assert any("CEO" in e.text and "agent state" in e.text and "does not verify" in e.text
                   for e in f.evidence)


def test_organisation_item_for_every_phone(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                           key: Path) -> None:
    """ORG-01 needs no --device: it holds for every phone."""
    out = tmp_path / "org.json"
    code, said, err = run(capsys, "attest", "ORG-01", "--by", "DPO", "--sign-key", str(key),
                          "-o", str(out))
    assert 0 == code, err
    assert "attested ORG-01 for every phone by DPO" in said
    report = json.loads(scan(capsys, "json", "--attestations", str(out), "--sign-key", str(key)))
    f = next(f for f in report["findings"] if f["check_id"] == "ORG-01")
    assert ("manual", "DPO", None) == (f["status"], f["attested"]["by"], f["attested"]["device"])


def test_retention_forgets_expired_attestations(tmp_path: Path, key: Path) -> None:
    """The agent's retention removes attestations that expired before the cut-off, no others."""
    signing = load_signing_key(key)
    old = Attestation(by="DPO", on=date(2025, 1, 1), until=date(2025, 2, 1), device=SERIAL)
    new = Attestation(by="DPO", on=date.today(), until=date.fromisoformat(UNTIL), device=SERIAL)
    with State.open(tmp_path / "s.db") as state:
        for a in (old, new):
            attestations.record(state, document([entry("MSG-07", a)], signing), [("MSG-07", a)],
                                datetime.now(UTC))
        assert 1 == attestations.prune(state, date(2025, 6, 1))
        assert 1 == len(attestations.documents(state))
        assert [new] == [c.attestation for c in attestations.claims(state, signing)]


def test_pseudonymised_phone(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                             tmp_path: Path, key: Path) -> None:
    """A scan that names the phone by its pseudonym applies an attestation made for the
    pseudonym; one made for the real serial is not applied, and the report says so without
    repeating the serial."""
    monkeypatch.setenv("MSGSCAN_PSEUDONYM_KEY", "k" * 32)
    flags = ("--pseudonymize", "--sign-key", str(key))
    by_serial = tmp_path / "serial.json"
    attest(capsys, key, by_serial)
    out = scan(capsys, "json", "--attestations", str(by_serial), *flags)
    report = json.loads(out)
    name = report["device"]["serial"]
    f = msg07(report)
    assert name != SERIAL and SERIAL not in out
    assert f["attested"] is None
    assert any(f"by its pseudonym: not applied; attest it for {name}" in e["text"]
               for e in f["evidence"])

    by_name = tmp_path / "pseudonym.json"
    attest(capsys, key, by_name, device=name)
    f = msg07(json.loads(scan(capsys, "json", "--attestations", str(by_name), *flags)))
    assert ("manual", name) == (f["status"], f["attested"]["device"])
