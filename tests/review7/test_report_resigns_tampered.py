"""Review 7: ``msgscan report SAVED.json --sign-key org.key`` rendered and signed whatever the
saved file said. A report whose failures were edited into passes (its digest no longer matches)
came out as a page and a JSON report signed by the organisation that ``msgscan verify`` called
VALID: the forgery laundered into trusted evidence. A saved report that changed since it was
written is now refused (exit 2), whatever the output and with or without a key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reports.i18n import Lang
from reports.integrity import seal_json
from reports.render.json import JsonRenderer
from reports.signing import generate
from scanner.app.cli import main
from scanner.app.keys import load_signing_key
from tests.reports.scans import replayed, scan


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    path = tmp_path_factory.mktemp("keys") / "org.key"
    _, pub = generate(path)
    return path, pub


def _report(key_path: Path | None) -> dict[str, Any]:
    k = load_signing_key(key_path) if key_path else None
    result = scan(replayed("android16-personal-whatsapp-telegram.json"))
    doc: dict[str, Any] = json.loads(JsonRenderer(Lang.EN, k).render(result))
    return doc


def _forged(doc: dict[str, Any]) -> dict[str, Any]:
    """Every failure edited into a pass, the summary made to agree."""
    out = json.loads(json.dumps(doc))
    flipped = 0
    for f in out["findings"]:
        if f["status"] == "fail":
            f["status"] = "pass"
            flipped += 1
    assert flipped
    counts = out["summary"]["counts"]
    counts["pass"] += counts["fail"]
    counts["fail"] = 0
    out["summary"].update(failed=0, verdict="compliant")
    return out


def _write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize("signed", [True, False])
@pytest.mark.parametrize("out", ["page.html", "again.json"])
def test_a_changed_report_is_not_rendered_or_signed_again(
    key: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    signed: bool, out: str,
) -> None:
    saved = _write(tmp_path / "forged.json", _forged(_report(key[0] if signed else None)))
    target = tmp_path / out
    assert main(["report", str(saved), "--sign-key", str(key[0]), "-o", str(target)]) == 2
    assert "changed since it was written" in capsys.readouterr().err
    assert not target.exists()


def test_a_new_digest_over_a_signature_of_the_signing_key_is_refused(
    key: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The forger also recomputes the SHA-256, keeping the old signature: only the signature can
    tell, and with the organisation's key in hand ``report`` checks it."""
    doc = _report(key[0])
    forged = _forged(doc)
    resealed = seal_json(forged, None)
    resealed["integrity"]["signature"] = doc["integrity"]["signature"]
    saved = _write(tmp_path / "forged.json", resealed)
    target = tmp_path / "page.html"
    assert main(["report", str(saved), "--sign-key", str(key[0]), "-o", str(target)]) == 2
    assert "changed since it was signed" in capsys.readouterr().err
    assert not target.exists()


@pytest.mark.parametrize("signed", [True, False])
def test_an_unchanged_report_still_renders(key: tuple[Path, Path], tmp_path: Path,
                                           signed: bool) -> None:
    saved = _write(tmp_path / "report.json", _report(key[0] if signed else None))
    target = tmp_path / "page.html"
    assert main(["report", str(saved), "--sign-key", str(key[0]), "-o", str(target)]) == (
        0 if signed else 2
    )
    assert target.exists() is signed
    assert main(["report", str(saved), "-o", str(tmp_path / "plain.json")]) == 0


def test_a_stripped_signature_and_a_new_digest_are_not_signed_again(
    key: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The forger removes the signature, edits, and writes the new SHA-256 (docs/integrity.md
    shows how): the file reads as an unsigned report. Signed again by whoever renders it, it
    would be a forgery ``msgscan verify`` calls VALID; ``--sign-key`` signs only a report that
    the same key signed."""
    forged = seal_json(_forged(_report(key[0])), None)
    saved = _write(tmp_path / "forged.json", forged)
    target = tmp_path / "page.html"
    assert main(["report", str(saved), "--sign-key", str(key[0]), "-o", str(target)]) == 2
    assert "not signed by" in capsys.readouterr().err
    assert not target.exists()
    # without a key it still renders: the page carries its digest only, "cannot tell"
    assert main(["report", str(saved), "-o", str(target)]) == 0


def test_a_report_from_before_the_seal_still_renders(tmp_path: Path) -> None:
    """Schema 1.0/1.1 reports carried no integrity member: nothing to check, rendered as before."""
    doc = _report(None)
    doc.pop("integrity")
    doc["schema_version"] = "1.1"
    saved = _write(tmp_path / "old.json", doc)
    code = main(["report", str(saved), "-o", str(tmp_path / "page.html")])
    # whatever the schema check says of this hand-made 1.1 document, never "changed"
    assert code in (0, 2)
