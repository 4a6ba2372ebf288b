"""Signed reports: every format carries its SHA-256 and, with a key, an Ed25519 signature that
``msgscan verify`` checks (0 valid, 1 tampered, 2 cannot tell), and that standard tools (jq,
sha256sum, openssl) check the same way, as docs/integrity.md shows."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reports.i18n import Lang
from reports.integrity import Outcome, canonical, seal_json, verify
from reports.render.fleet_html import render_fleet
from reports.render.html import HtmlRenderer
from reports.render.json import JsonRenderer, dumps
from reports.signing import generate
from scanner.app.keys import load_public_key, load_signing_key
from scanner.app.agent.summary import fleet_summary
from scanner.app.cli import main
from tests.reports.scans import handmade, replayed, scan


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    path = tmp_path_factory.mktemp("keys") / "org.key"
    _, pub = generate(path)
    return path, pub


def _formats(key_path: Path | None) -> dict[str, bytes]:
    key = load_signing_key(key_path) if key_path else None
    result = scan(replayed("android16-personal-whatsapp-telegram.json"))
    summary = fleet_summary(generated=datetime(2026, 11, 21, tzinfo=UTC), round_row=None,
                            interrupted=False, devices=[], last_scans=[], drift={})
    return {
        "json": JsonRenderer(Lang.DE, key).render(result),
        "html": HtmlRenderer(Lang.EN, key).render(result),
        "fleet.json": dumps(seal_json(summary, key)),
        "fleet.html": render_fleet(summary, Lang.EN, key),
    }


def _flip(data: bytes, at: int) -> bytes:
    changed = bytearray(data)
    changed[at] = ord("X") if changed[at] != ord("X") else ord("Y")
    return bytes(changed)


@pytest.mark.parametrize("fmt", ["json", "html", "fleet.json", "fleet.html"])
def test_signed_report_verifies_and_any_changed_byte_fails(keys: tuple[Path, Path], fmt: str) -> None:
    data = _formats(keys[0])[fmt]
    trusted = [load_public_key(keys[1])]
    assert verify(data, trusted).outcome is Outcome.VALID

    # Every value byte: a character in a string, a digit, a key; 40 positions across the file,
    # each outside the whitespace between tokens (which the JSON canonical form leaves out).
    solid = [i for i in range(len(data)) if data[i:i + 1] not in (b" ", b"\n")]
    positions = solid[:: max(1, len(solid) // 60)] + [solid[-1]]
    assert len(positions) >= 60
    seal = data.rfind(b'"integrity"') if fmt.endswith("json") else data.rfind(b"<!-- msgscan-integrity")
    for at in positions:
        outcome = verify(_flip(data, at), trusted).outcome
        # Never valid; tampered wherever the content changed. A changed seal itself may also
        # read as "no seal" (cannot tell), which is still no pass.
        assert outcome is not Outcome.VALID, (fmt, at)
        if at < seal:
            assert outcome is Outcome.TAMPERED, (fmt, at, data[max(0, at - 20):at + 20])


@pytest.mark.parametrize("fmt", ["json", "html", "fleet.json", "fleet.html"])
def test_unsigned_report_carries_its_digest_and_cannot_be_called_valid(fmt: str) -> None:
    data = _formats(None)[fmt]
    result = verify(data)
    assert result.outcome is Outcome.CANNOT_TELL and "not signed" in result.message
    assert verify(_flip(data, len(data) // 2)).outcome is Outcome.TAMPERED


def test_a_key_not_trusted_cannot_tell(keys: tuple[Path, Path], tmp_path: Path) -> None:
    """Anyone can sign with a key of their own: only a trusted key makes a report valid."""
    data = _formats(keys[0])["json"]
    _, other = generate(tmp_path / "other.key")
    assert verify(data).outcome is Outcome.CANNOT_TELL
    assert verify(data, [load_public_key(other)]).outcome is Outcome.CANNOT_TELL


def test_resigned_by_another_key_is_not_valid_for_the_organisation(keys: tuple[Path, Path],
                                                                  tmp_path: Path) -> None:
    """A forger who changes the verdict and re-signs with their own key is caught by --key."""
    report = json.loads(_formats(keys[0])["json"])
    report["summary"]["verdict"] = "compliant"
    generate(tmp_path / "forger.key")
    forged = dumps(seal_json(report, load_signing_key(tmp_path / "forger.key")))
    assert verify(forged, [load_public_key(keys[1])]).outcome is Outcome.CANNOT_TELL
    # Keeping the organisation's key id but a forged value: tampered.
    original = json.loads(_formats(keys[0])["json"])
    report["integrity"]["signature"]["key"] = original["integrity"]["signature"]["key"]
    assert verify(dumps(report), [load_public_key(keys[1])]).outcome is Outcome.TAMPERED


def test_duplicate_keys_are_tampering(keys: tuple[Path, Path]) -> None:
    """A second "verdict" earlier in the object: readers would disagree on what it says."""
    data = _formats(keys[0])["json"]
    doubled = data.replace(b'"summary": {', b'"summary": {"verdict": "compliant", ', 1)
    assert verify(doubled, [load_public_key(keys[1])]).outcome is Outcome.TAMPERED


def test_reindenting_json_keeps_it_valid(keys: tuple[Path, Path]) -> None:
    data = _formats(keys[0])["json"]
    compact = json.dumps(json.loads(data), ensure_ascii=False).encode()
    assert verify(compact, [load_public_key(keys[1])]).outcome is Outcome.VALID


def test_canonical_form_is_what_jq_prints(keys: tuple[Path, Path], tmp_path: Path) -> None:
    """docs/integrity.md: ``jq -cSj 'del(.integrity)' | sha256sum`` and openssl check a report."""
    jq, openssl = shutil.which("jq"), shutil.which("openssl")
    if not (jq and openssl):
        if os.environ.get("CI") == "true":
            pytest.fail("jq and openssl must be installed in CI (.ci/run)")
        pytest.skip("jq or openssl is not installed")
    result = scan(handmade())
    # A hostile phone string with DEL, C1 and bidi characters, and a float score.
    report = JsonRenderer(Lang.DE, load_signing_key(keys[0])).render(result)
    doc = json.loads(report)
    doc["device"]["model"] = "Pixel\x7f\x9b\u202e 8\u2028 ünï 😀 \\ \""
    data = dumps(seal_json(doc, load_signing_key(keys[0])))
    (tmp_path / "r.json").write_bytes(data)
    printed = subprocess.run([jq, "-cSj", "del(.integrity)", str(tmp_path / "r.json")],
                             capture_output=True, check=True).stdout
    assert printed == canonical(json.loads(data))
    sig = json.loads(data)["integrity"]["signature"]["value"]
    (tmp_path / "covered").write_bytes(printed)
    (tmp_path / "sig").write_bytes(__import__("base64").b64decode(sig))
    check = subprocess.run([openssl, "pkeyutl", "-verify", "-pubin", "-inkey", str(keys[1]),
                            "-rawin", "-in", str(tmp_path / "covered"), "-sigfile",
                            str(tmp_path / "sig")], capture_output=True, text=True)
    assert check.returncode == 0 and "Signature Verified Successfully" in check.stdout
    fp = subprocess.run(f"{openssl} pkey -pubin -in {keys[1]} -outform DER | sha256sum",
                        shell=True, capture_output=True, text=True, check=True).stdout.split()[0]
    assert json.loads(data)["integrity"]["signature"]["key"] == f"sha256:{fp}"


def test_html_digest_covers_everything_before_its_last_line(keys: tuple[Path, Path]) -> None:
    import hashlib

    page = _formats(keys[0])["html"]
    body, line = page[: page.rstrip(b"\n").rfind(b"\n") + 1], page[page.rstrip(b"\n").rfind(b"\n") + 1:]
    assert line.startswith(b"<!-- msgscan-integrity sha256=" + hashlib.sha256(body).hexdigest().encode())
    fp = load_signing_key(keys[0]).fingerprint
    assert fp.encode() in body  # the key's fingerprint is printed on the page itself
    assert verify(page + b"<p>appended</p>\n", [load_public_key(keys[1])]).outcome is Outcome.TAMPERED


class TestCli:
    def test_keygen_creates_0600_refuses_to_overwrite_and_never_prints_the_key(
            self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        key = tmp_path / "k"
        os.umask(0o022)
        assert main(["keygen", str(key)]) == 0
        out = capsys.readouterr()
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert (tmp_path / "k.pub").exists()
        secret = key.read_text().splitlines()[1]
        assert secret not in out.out + out.err and "fingerprint sha256:" in out.out
        before = key.read_bytes()
        assert main(["keygen", str(key)]) == 2
        assert "already exists" in capsys.readouterr().err and key.read_bytes() == before

    def test_verify_exit_codes(self, keys: tuple[Path, Path], tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
        report = tmp_path / "r.json"
        report.write_bytes(_formats(keys[0])["json"])
        assert main(["verify", str(report), "--key", str(keys[1])]) == 0
        assert main(["verify", str(report)]) == 2
        report.write_bytes(report.read_bytes().replace(b'"non_compliant"', b'"compliant"'))
        assert main(["verify", str(report), "--key", str(keys[1])]) == 1
        assert main(["verify", str(tmp_path / "missing.json")]) == 2
        (tmp_path / "old.json").write_text('{"schema_version": "1.1"}')
        assert main(["verify", str(tmp_path / "old.json"), "--key", str(keys[1])]) == 2
        capsys.readouterr()
        assert main(["verify", str(report), "--key", str(keys[1]), "--json"]) == 1
        assert json.loads(capsys.readouterr().out)["outcome"] == "tampered"

    def test_scan_signs_with_sign_key_and_refuses_a_readable_key(
            self, keys: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        out = tmp_path / "r.html"
        recording = str(Path(__file__).resolve().parents[2] / "scanner" / "recordings"
                        / "android10-signal-threema-wire.json")
        code = main(["scan", "--replay", recording, "--format", "html", "--sign-key",
                     str(keys[0]), "-o", str(out)])
        assert code in (0, 1)
        assert verify(out.read_bytes(), [load_public_key(keys[1])]).outcome is Outcome.VALID
        loose = tmp_path / "loose.key"
        loose.write_bytes(keys[0].read_bytes())
        loose.chmod(0o644)
        assert main(["scan", "--replay", recording, "--sign-key", str(loose)]) == 2
        assert "chmod 600" in capsys.readouterr().err
