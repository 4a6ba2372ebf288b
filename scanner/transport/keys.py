"""This computer's ADB key: the same files Google's adb uses, so a phone that trusts adb trusts us.

adb keeps its RSA key in ``$ANDROID_USER_HOME`` (else ``~/.android``) as ``adbkey`` (PKCS#8 PEM)
and ``adbkey.pub`` (Android's base64 key format plus `` user@host``). adb-shell reads both files
unchanged (adb.md §2.2), so reusing them means a phone that already tapped "Always allow" for this
computer's adb needs no new prompt for msgscan.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

from adb_shell.auth.keygen import keygen, write_public_keyfile
from adb_shell.auth.sign_cryptography import CryptographySigner
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import rsa
from pyasn1.error import PyAsn1Error

from checks.errors import UsageError
from scanner.files import LIMIT_KEY, kind_of

__all__ = ["KEY_NAME", "adb_key_dir", "load_or_create_signer"]

KEY_NAME = "adbkey"


class AdbSigner(CryptographySigner):  # type: ignore[misc]  # adb-shell ships no type hints
    """adb-shell's OpenSSL signer, giving the public key as text like its pure-Python one."""

    def __init__(self, private_key_path: str) -> None:
        super().__init__(private_key_path)
        self._public_text = bytes(vars(self)["public_key"]).decode("utf-8")  # ValueError

    def GetPublicKey(self) -> str:  # adb-shell's signer interface
        return self._public_text


def adb_key_dir() -> Path:
    """Where Google's adb looks for its key: ``$ANDROID_USER_HOME``, else ``~/.android``."""
    if user_home := os.environ.get("ANDROID_USER_HOME"):
        return Path(user_home)
    return Path.home() / ".android"


NOT_RSA = "not an RSA key (adb's keys are RSA; a phone checks an RSA signature)"


def load_or_create_signer(directory: Path | None = None) -> AdbSigner:
    """Return a signer for ``<directory>/adbkey``, creating the key pair (0600) if it is missing.

    An existing key is never rewritten; a missing ``adbkey.pub`` beside an existing ``adbkey`` is
    derived from the private key (adb itself only needs ``adbkey``).

    The signer is OpenSSL's (``cryptography``), not adb-shell's pure-Python ``rsa`` one: that
    one signs the AUTH token without CRT in 28 ms of CPU, a quarter of a whole scan's CPU on a
    USB phone (bench/RESULTS.md, "Scan against the floor"); OpenSSL takes under 1 ms.
    """
    directory = directory if directory is not None else adb_key_dir()
    private = directory / KEY_NAME
    public = directory / f"{KEY_NAME}.pub"
    try:
        if not private.exists():
            _create_key(directory, private)
        check_private_key(private)
        if not public.exists():
            try:
                write_public_keyfile(str(private), str(public))
            except AttributeError as e:  # an EC or Ed25519 key has no RSA numbers (review12)
                raise TypeError(NOT_RSA) from e
        signer = AdbSigner(str(private))
        if not isinstance(vars(signer)["rsa_key"], rsa.RSAPrivateKey):
            raise TypeError(NOT_RSA)  # its signature at a phone's AUTH would be a traceback
        return signer
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm, PyAsn1Error) as e:
        # unreadable file; not a PEM; bad DER
        raise UsageError(
            f"cannot use the ADB key {private}: {e}",
            hint=(
                "Check that the file is readable and is the key adb created; to start over, move "
                f"{private} and {public} away (phones will ask 'Allow USB debugging?' again)."
            ),
        ) from e


def check_private_key(private: Path) -> None:
    """Refuse a private key others could have changed, as ssh refuses an unprotected key.

    Refused (``UsageError``, exit 2): not a regular file, larger than a key can be, writable by
    the group or by others, or owned by another user (a key someone else can swap is a key
    someone else chose). Readable by others is accepted: Google's adb itself writes ``adbkey``
    with the umask (0644 under umask 022, adb.md §2.2), and refusing that would refuse most
    computers that ever ran adb.
    """
    st = os.stat(private)  # follows a symlink: the file that is used
    fix = f"chmod 600 {private}"
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(
            f"{private}: the ADB key is {kind_of(st.st_mode)}, not a regular file",
            hint="move it away; msgscan creates a new key there (phones ask again)",
        )
    if st.st_size > LIMIT_KEY:
        raise UsageError(
            f"{private}: the ADB key is {st.st_size} bytes, too large for a key",
            hint="move it away; msgscan creates a new key there (phones ask again)",
        )
    if st.st_uid != os.geteuid():
        raise UsageError(
            f"{private}: the ADB key belongs to user id {st.st_uid}, not to you ({os.geteuid()}); "
            "msgscan refuses a key another user controls",
            hint=(
                f"chown {os.geteuid()} {private} && {fix}, or set ANDROID_USER_HOME to your own "
                "folder"
            ),
        )
    if st.st_mode & 0o022:
        who = " and ".join(
            w for w, bit in (("the group", 0o020), ("others", 0o002)) if st.st_mode & bit
        )
        raise UsageError(
            f"{private}: the ADB key is writable by {who} (mode {stat.S_IMODE(st.st_mode):04o}); "
            "msgscan refuses a key others can change, as ssh does",
            hint=f"run {fix} (only you may change the key phones trust), then scan again",
        )


def _create_key(directory: Path, private: Path) -> None:
    """Write a new key pair so that the private key is never readable by others, not even briefly.

    keygen() opens the file with the process umask (0644 under umask 022: adb.md §2.2), so it
    writes into a private 0700 temporary directory that is moved into place afterwards; a key
    some other tool created meanwhile wins over ours.
    """
    if not directory.exists():
        directory.mkdir(mode=0o700, parents=True)
        directory.chmod(0o700)  # mkdir's mode is masked by the umask; say it exactly
    staging = Path(tempfile.mkdtemp(prefix=".msgscan-key-", dir=directory))  # mode 0700
    try:
        staged = staging / KEY_NAME
        keygen(str(staged))
        staged.chmod(0o600)
        if private.exists():
            return
        os.replace(f"{staged}.pub", f"{private}.pub")
        os.replace(staged, private)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
