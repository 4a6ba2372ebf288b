"""Review 7: a per-phone attestation (MSG-03, MSG-06, MSG-07) holds until a day: ``msgscan
attest`` refuses one without ``--until`` and a policy file one without ``until``. A signed
attestation file read back (``--attestations``, the agent's state) took such an entry without
``until`` and applied it for ever. It is now refused like the other bad entries (exit 2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from checks.errors import UsageError
from checks.findings import Attestation
from reports.attestation_file import document, entry, parse
from reports.signing import generate
from scanner.app.cli import main
from scanner.app.keys import load_signing_key

ROOT = Path(__file__).resolve().parents[2]
A16 = str(ROOT / "scanner" / "recordings" / "android16-personal-whatsapp-telegram.json")


def _file(tmp_path: Path, until: date | None) -> tuple[Path, Path]:
    key = tmp_path / "org.key"
    generate(key)
    a = Attestation(by="Team lead", on=date(2026, 11, 1), until=until, device="MSGSCAN16PH")
    out = tmp_path / "a.json"
    out.write_bytes(document([entry("MSG-07", a)], load_signing_key(key)))
    return key, out


def test_a_per_phone_entry_without_until_is_refused(tmp_path: Path) -> None:
    _, out = _file(tmp_path, None)
    with pytest.raises(UsageError) as e:
        parse(out.read_bytes(), "a.json")
    assert "until" in e.value.problem


def test_the_scan_refuses_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key, out = _file(tmp_path, None)
    code = main(["scan", "--replay", A16, "--attestations", str(out),
                 "--attestation-key", f"{key}.pub", "--format", "json"])
    assert code == 2
    assert "until" in capsys.readouterr().err


def test_with_until_it_applies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key, out = _file(tmp_path, date(2099, 1, 1))
    assert [c for c, _ in parse(out.read_bytes(), "a.json")] == ["MSG-07"]
