"""review12, on agent11's PemSigner (session 26: the ADB key checked once, loaded again in each
worker without OpenSSL's RSA check): the agent's key file holding a key of another type. An
EC or Ed25519 key in ``adbkey`` (mode 0600, so ``check_private_key`` let it by) made
``msgscan scan`` end in a traceback (exit 1) where ``adbkey.pub`` was missing (adb-shell's
public-key encoder reads RSA numbers), and was taken where ``adbkey.pub`` existed: its
signature, asked at every phone's AUTH (in each worker too, through PemSigner), raised
``TypeError``. Now it is refused where the key is loaded: a clear error, exit 2, nothing
written beside it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from checks.errors import UsageError
from scanner.transport.keys import NOT_RSA, load_or_create_signer
from tests.scanner.app.cli.test_startup import ROOT

KEYS: dict[str, Callable[[], ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey]] = {
    "ec": lambda: ec.generate_private_key(ec.SECP256R1()),
    "ed25519": ed25519.Ed25519PrivateKey.generate,
}


def _key_dir(tmp_path: Path, kind: str, public: bool) -> Path:
    folder = tmp_path / "android"
    folder.mkdir()
    key = KEYS[kind]()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (folder / "adbkey").write_bytes(pem)
    os.chmod(folder / "adbkey", 0o600)
    if public:
        (folder / "adbkey.pub").write_text("QAAAAA== someone@host\n")
    return folder


@pytest.mark.parametrize("public", [False, True])
@pytest.mark.parametrize("kind", sorted(KEYS))
def test_a_key_of_another_type_is_refused_where_it_is_loaded(
    tmp_path: Path, kind: str, public: bool
) -> None:
    folder = _key_dir(tmp_path, kind, public)
    with pytest.raises(UsageError) as refused:
        load_or_create_signer(folder)
    assert NOT_RSA in refused.value.problem
    assert (folder / "adbkey.pub").exists() == public  # nothing derived from it


@pytest.mark.parametrize("kind", sorted(KEYS))
def test_a_scan_with_a_key_of_another_type_exits_2_without_a_traceback(
    tmp_path: Path, kind: str
) -> None:
    folder = _key_dir(tmp_path, kind, False)
    env = {**os.environ, "ANDROID_USER_HOME": str(folder)}
    done = subprocess.run(
        [sys.executable, "-m", "scanner.app.cli", "scan", "--tcp", "127.0.0.1:9"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "not an RSA key" in done.stderr


def test_adbs_own_rsa_key_still_loads_and_signs(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
    from cryptography.hazmat.primitives.hashes import SHA1

    signer = load_or_create_signer(tmp_path / "android")  # created as adb would
    token = b"\x01" * 20
    signature = signer.Sign(token)
    key = serialization.load_pem_private_key((tmp_path / "android" / "adbkey").read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    key.public_key().verify(signature, token, padding.PKCS1v15(), utils.Prehashed(SHA1()))
