"""adb's public key format and the auth policy."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from adb_shell.auth.sign_cryptography import CryptographySigner  # type: ignore[import-untyped]
from cryptography.hazmat.primitives.asymmetric import rsa

from scanner.simphone import AuthPolicy, encode_adb_public_key, parse_adb_public_key
from scanner.simphone.auth import KeyRing, verify


class TestKeyFormat:
    def test_round_trip_matches_adb_shell_keygen(self, host_key: Path) -> None:
        """Encoding a parsed ``adbkey.pub`` reproduces it byte for byte."""
        line = Path(f"{host_key}.pub").read_bytes().strip()
        comment = line.split(b" ", 1)[1]

        assert line == encode_adb_public_key(parse_adb_public_key(line), comment.decode())

    def test_raw_struct_is_accepted(self, host_key: Path) -> None:
        """The 524-byte struct itself parses, as well as its base64 text."""
        text = Path(f"{host_key}.pub").read_text()
        raw = base64.b64decode(text.split()[0])

        assert (
            parse_adb_public_key(text).public_numbers()
            == parse_adb_public_key(raw).public_numbers()
        )

    @pytest.mark.parametrize(
        ("key", "message"),
        [
            ("", "empty"),
            ("!!!! user@host", "not base64"),
            (base64.b64encode(b"short").decode(), "expected 524"),
            (base64.b64encode(b"\1\0\0\0" + bytes(520)).decode(), "modulus words"),
        ],
    )
    def test_malformed_keys_say_what_is_wrong(self, key: str, message: str) -> None:
        """A bad key raises ValueError naming the problem."""
        with pytest.raises(ValueError, match=message):
            parse_adb_public_key(key)

    def test_signature_uses_the_token_as_digest(self, host_key: Path) -> None:
        """adb-shell's signature over a token verifies; one over another token does not."""
        signer = CryptographySigner(str(host_key))
        key = parse_adb_public_key(signer.GetPublicKey())
        token = os.urandom(20)

        assert verify(key, token, signer.Sign(token))
        assert not verify(key, os.urandom(20), signer.Sign(token))

    def test_keyring_accepts_only_its_keys(self, host_key: Path) -> None:
        """A keyring checks a signature against each of its keys."""
        signer = CryptographySigner(str(host_key))
        stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ring = KeyRing([encode_adb_public_key(stranger.public_key())])
        token = os.urandom(20)

        assert not ring.accepts(token, signer.Sign(token))
        ring.add(signer.GetPublicKey())
        assert ring.accepts(token, signer.Sign(token))


class TestAuthPolicy:
    def test_bad_trusted_key_fails_at_construction(self) -> None:
        """A malformed trusted key is reported when the policy is made."""
        with pytest.raises(ValueError, match="not base64"):
            AuthPolicy(trusted_keys=("not a key!",))

    def test_prompt_must_be_known(self) -> None:
        """Only never, accept and reject are prompt outcomes."""
        with pytest.raises(ValueError, match="prompt must be"):
            AuthPolicy(prompt="maybe")  # type: ignore[arg-type]
