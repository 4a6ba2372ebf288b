"""``PemSigner`` (session 26): the agent's ADB key as it crosses to a worker, loaded there
without OpenSSL's second RSA key check, signs exactly as the agent's own signer does (PKCS#1
v1.5 is deterministic: the same token, the same bytes), before and after pickling, and the
signature verifies with the public key the phone holds."""

from __future__ import annotations

import base64
import os
import pickle
import struct
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, utils

from scanner.app.agent.worker_side import PemSigner, _portable_signer
from scanner.transport.keys import load_or_create_signer


def test_signs_as_the_agents_signer(tmp_path: Path) -> None:
    signer = load_or_create_signer(tmp_path)
    portable = _portable_signer(signer)
    assert isinstance(portable, PemSigner)
    again = pickle.loads(pickle.dumps(portable))
    public = signer.rsa_key.public_key()
    for _ in range(5):
        token = os.urandom(20)
        expected = signer.Sign(token)
        assert portable.Sign(token) == expected
        assert again.Sign(token) == expected
        public.verify(expected, token, padding.PKCS1v15(), utils.Prehashed(hashes.SHA1()))
    assert again.GetPublicKey() == portable.GetPublicKey()
    # the public key the phone is given is the one that verifies (adb's base64 form)
    blob = base64.b64decode(again.GetPublicKey().split()[0])
    assert struct.unpack("<I", blob[:4])[0] == 64  # 2048 bits: 64 32-bit words
