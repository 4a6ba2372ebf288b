"""Review 7: ``--pseudonymize`` promises the serial is replaced "everywhere". A signed
attestation file given for the scan that names *another* phone by its serial put that serial in
the pseudonymized report ("is for another phone (R5CX…)") in JSON, HTML and the SIEM events.
Under a pseudonym, a claim for another phone named by a serial now says nothing here (as the
policy's own attestations for other phones); one named by a pseudonym is still named."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from reports.signing import generate
from scanner.app.cli import main

ROOT = Path(__file__).resolve().parents[2]
A16 = str(ROOT / "scanner" / "recordings" / "android16-personal-whatsapp-telegram.json")
OTHER = "R5CXOTHERPHONE42"
UNTIL = (date.today() + timedelta(days=90)).isoformat()


@pytest.fixture
def signed_for_other(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    key = tmp_path / "org.key"
    generate(key)
    out = tmp_path / "other.json"
    assert 0 == main(["attest", "MSG-07", "--device", OTHER, "--by", "Team lead", "--until",
                      UNTIL, "--sign-key", str(key), "-o", str(out)])
    capsys.readouterr()
    return key, out


@pytest.mark.parametrize("fmt", ["json", "html", "ocsf", "ecs", "cef", "text", "csv"])
def test_another_phones_serial_stays_out_of_a_pseudonymized_report(
    signed_for_other: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], fmt: str,
) -> None:
    key, attestation = signed_for_other
    monkeypatch.setenv("MSGSCAN_PSEUDONYM_KEY", "a-long-enough-secret-key")
    code = main(["scan", "--replay", A16, "--pseudonymize", "--attestations", str(attestation),
                 "--attestation-key", f"{key}.pub", "--format", fmt])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert "MSGSCAN16PH" not in out  # the phone's own serial: the pseudonym's promise
    assert OTHER not in out


def test_without_a_pseudonym_the_other_phone_is_still_named(
    signed_for_other: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    key, attestation = signed_for_other
    main(["scan", "--replay", A16, "--attestations", str(attestation),
          "--attestation-key", f"{key}.pub", "--format", "json"])
    out, _ = capsys.readouterr()
    assert f"is for another phone ({OTHER}), not this one: not applied" in out


def test_the_prefix_is_the_one_pseudonyms_carry() -> None:
    from checks import attested, result

    assert attested.PSEUDONYM_PREFIX == result.PSEUDONYM_PREFIX
