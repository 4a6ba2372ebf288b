"""Review 7: a report whose numbers JSON cannot hold (``NaN``, ``Infinity``, ``1e999``) was
never written by msgscan (it refuses such numbers), so it has been changed. ``msgscan verify``
crashed with a traceback on it instead of saying "tampered", and ``msgscan report`` crashed
instead of refusing bad input with exit 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reports.i18n import Lang
from reports.integrity import Outcome, verify
from reports.render.json import JsonRenderer
from reports.signing import generate
from scanner.app.cli import main
from scanner.app.keys import load_public_key, load_signing_key
from tests.reports.scans import replayed, scan

_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e999"]


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Path]:
    key_path = tmp_path_factory.mktemp("keys") / "org.key"
    _, pub = generate(key_path)
    result = scan(replayed("android16-personal-whatsapp-telegram.json"))
    return JsonRenderer(Lang.EN, load_signing_key(key_path)).render(result), pub


def _score_as(data: bytes, number: str) -> bytes:
    m = re.search(rb'"score": ?(-?[0-9.]+)', data)
    assert m is not None
    return data[: m.start(1)] + number.encode() + data[m.end(1):]


@pytest.mark.parametrize("number", _NUMBERS)
def test_verify_calls_a_number_json_cannot_hold_tampered(
    signed: tuple[bytes, Path], number: str
) -> None:
    data, pub = signed
    result = verify(_score_as(data, number), [load_public_key(pub)])
    assert result.outcome is Outcome.TAMPERED, result


@pytest.mark.parametrize("number", _NUMBERS)
def test_verify_and_report_commands_refuse_it_without_a_traceback(
    signed: tuple[bytes, Path], number: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, pub = signed
    report = tmp_path / "report.json"
    report.write_bytes(_score_as(data, number))
    assert main(["verify", str(report), "--key", str(pub)]) == 1
    assert "TAMPERED" in capsys.readouterr().out
    assert main(["report", str(report), "-o", str(tmp_path / "page.html")]) == 2
    assert "error:" in capsys.readouterr().err
    assert not (tmp_path / "page.html").exists()
