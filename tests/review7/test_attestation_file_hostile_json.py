"""Review 7: ``--attestations FILE`` of JSON nested too deep for Python's parser (or holding an
integer of more than 4300 digits) ended ``msgscan scan`` with a traceback instead of a clear
error and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.errors import UsageError
from reports.attestation_file import parse
from reports.signing import generate
from scanner.app.cli import main

ROOT = Path(__file__).resolve().parents[2]
A16 = str(ROOT / "scanner" / "recordings" / "android16-personal-whatsapp-telegram.json")
HOSTILE = {
    "deep": b"[" * 200_000 + b"]" * 200_000,
    "huge integer": b'{"attestations_version": ' + b"9" * 5000 + b"}",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_refused_as_bad_input(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(UsageError):
        parse(HOSTILE[name], "a.json")
    generate(tmp_path / "org.key")
    path = tmp_path / "a.json"
    path.write_bytes(HOSTILE[name])
    code = main(["scan", "--replay", A16, "--attestations", str(path),
                 "--attestation-key", str(tmp_path / "org.key.pub"), "--format", "json"])
    assert code == 2
    assert "not an attestation file" in capsys.readouterr().err
