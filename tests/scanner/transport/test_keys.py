"""The ADB key: found where Google's adb keeps it, created private, never rewritten."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from adb_shell.auth.keygen import keygen

from checks.errors import UsageError
from scanner.transport.keys import adb_key_dir, load_or_create_signer


class TestKeyDir:
    def test_android_user_home_wins(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        """$ANDROID_USER_HOME is the key directory itself, as for adb."""
        monkeypatch.setenv("ANDROID_USER_HOME", str(tmp_path / "prefs"))

        assert tmp_path / "prefs" == adb_key_dir()

    def test_home_dot_android(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        """Without it, the key lives in ~/.android."""
        monkeypatch.delenv("ANDROID_USER_HOME", raising=False)
        monkeypatch.setenv("HOME", str(tmp_path))

        assert tmp_path / ".android" == adb_key_dir()


class TestLoadOrCreate:
    def test_creates_private_key(self, tmp_path: Path) -> None:
        """A missing key is created 0600 in a 0700 directory, with its .pub beside it."""
        directory = tmp_path / ".android"

        signer = load_or_create_signer(directory)

        assert 0o600 == stat.S_IMODE((directory / "adbkey").stat().st_mode)
        assert 0o700 == stat.S_IMODE(directory.stat().st_mode)
        assert (directory / "adbkey.pub").read_text().startswith(signer.GetPublicKey()[:40])
        assert ["adbkey", "adbkey.pub"] == sorted(p.name for p in directory.iterdir())

    def test_reuses_existing_key(self, tmp_path: Path) -> None:
        """An existing key pair (as adb made it) is used and left byte for byte unchanged."""
        keygen(str(tmp_path / "adbkey"))
        before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

        signer = load_or_create_signer(tmp_path)

        assert before == {p.name: p.read_bytes() for p in tmp_path.iterdir()}
        assert before["adbkey.pub"].decode() == signer.GetPublicKey()

    def test_missing_pub_is_derived(self, tmp_path: Path) -> None:
        """adb needs only adbkey; a lost adbkey.pub is rebuilt from it, the private key kept."""
        keygen(str(tmp_path / "adbkey"))
        expected = (tmp_path / "adbkey.pub").read_bytes().split(b" ")[0]
        private = (tmp_path / "adbkey").read_bytes()
        (tmp_path / "adbkey.pub").unlink()

        load_or_create_signer(tmp_path)

        assert expected == (tmp_path / "adbkey.pub").read_bytes().split(b" ")[0]
        assert private == (tmp_path / "adbkey").read_bytes()

    def test_corrupt_key_is_a_usage_error(self, tmp_path: Path) -> None:
        """A damaged key file names the file and says how to start over."""
        (tmp_path / "adbkey").write_text(
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
        )
        (tmp_path / "adbkey.pub").write_text("garbage")

        with pytest.raises(UsageError) as raised:
            load_or_create_signer(tmp_path)

        assert str(tmp_path / "adbkey") in raised.value.problem
        assert "move" in raised.value.hint
