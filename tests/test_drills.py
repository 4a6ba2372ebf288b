"""Failure drills: the phone unplugged mid-scan, authorisation revoked between agent rounds, the
disk full while a report is written, configuration files with values of the wrong type."""

from __future__ import annotations

import errno
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.drift import Lifecycle
from checks.errors import MsgscanError, UsageError
from checks.facts import FolderSummary
from checks.policy_file import parse_policy
from checks.registry import CHECKS
from scanner import recording
from scanner.app.agent.config import parse_agent_config
from scanner.app.agent.service import Agent
from scanner.collect import collect
from scanner.files import write_atomic
from scanner.recordings import build
from scanner.simphone import AuthPolicy, PhoneServer
from scanner.simphone.auth import KeyRing
from scanner.simphone.phone import RecordedPhone, phone_server
from scanner.transport.keys import load_or_create_signer
from scanner.transport.tcp import TcpTransport

ROOT = Path(__file__).resolve().parents[1]
A16 = recording.load(build.HERE / "android16-personal-whatsapp-telegram.json")


@pytest.fixture(scope="module")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("adbkey")
    load_or_create_signer(path)
    return path


class Unplugged(RecordedPhone):
    """Answers the first wave (the inventory and user 0's folders), then is pulled from the
    cable when the second wave's APK reads arrive."""

    server: PhoneServer

    def run(self, command: str):  # type: ignore[no-untyped-def]
        if "pm path" in command:  # the second wave (each probe inside its checksum frame)
            for connection in list(self.server._connections):
                connection.abort(reset=True)  # a connection reset, as a pulled cable gives
        return super().run(command)


def test_phone_unplugged_mid_scan(key_dir: Path) -> None:
    """The first wave is kept (the inventory, user 0's folders); the signers the second wave
    was to read say the connection broke; nothing raises."""
    phone = Unplugged(A16)
    server = PhoneServer(phone, serial="u", product="p", model="m", device="d",
                         auth=AuthPolicy(accept_any_key=True))  # fmt: skip
    phone.server = server
    with server:
        transport = TcpTransport.connect("127.0.0.1", server.port, signer=load_or_create_signer(key_dir))
        snapshot = collect(transport, timeout=5)
        transport.close()
    assert not snapshot.complete
    assert "the connection broke" in snapshot.problems[0]
    assert isinstance(snapshot.packages, tuple) and len(snapshot.packages) > 0
    assert snapshot.storage and all(isinstance(e.summary, FolderSummary) for e in snapshot.storage)
    assert snapshot.signers and all(
        "the connection broke" in getattr(s.certificate, "reason", "") or "did not answer"
        in getattr(s.certificate, "reason", "") for s in snapshot.signers
    )


def test_authorisation_revoked_between_agent_rounds(tmp_path: Path, key_dir: Path) -> None:
    """Round 1 scans; the user revokes USB debugging authorisations; round 2 records the phone
    as unauthorized without resolving its findings; once allowed again, they are unchanged."""
    public = (key_dir / "adbkey.pub").read_bytes()
    config = tmp_path / "agent.toml"
    with phone_server(A16, auth=AuthPolicy(trusted_keys=(public,))) as server:
        config.write_text(
            '[agent]\nstate_dir = "state"\n[schedule]\nevery = "1h"\n'
            '[scan]\ntimeout = "5s"\nconnect_timeout = "2s"\nauth_timeout = "1s"\n'
            f'[usb]\nenabled = false\n[adb_server]\nuse = false\n[tcp]\nendpoints = ["{server.address}"]\n'
        )
        agent = Agent(config, signer=load_or_create_signer(key_dir))
        try:
            agent.scan_round()
            first = {str(r.tracked.key) for r in agent.state.open_findings()}
            # Developer options → Revoke USB debugging authorizations: keys gone, links cut.
            server.keyring = KeyRing()
            server.auth = AuthPolicy(prompt="never")
            for connection in list(server._connections):
                connection.abort(reset=True)
            agent.scan_round()
            state = {d.id: str(d.last_state) for d in agent.state.devices()}[server.address]
            after = {str(r.tracked.key) for r in agent.state.open_findings()}
            server.trust(public)
            agent.scan_round()
            again = agent.state.open_findings()
        finally:
            agent.close()
    assert first and "unauthorized" == state and first == after
    assert {Lifecycle.UNCHANGED} == {r.tracked.lifecycle for r in again}


class TestDiskFull:
    OLD = b'{"report": "old"}\n'

    def test_write_failure_leaves_the_old_report(self, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        """ENOSPC while writing: the old report is intact, no temporary file is left."""
        target = tmp_path / "phone.json"
        target.write_bytes(self.OLD)
        real = os.fsync

        def full(fd: int) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "fsync", full)
        with pytest.raises(UsageError, match="No space left on device"):
            write_atomic(target, b"x" * 10_000)
        monkeypatch.setattr(os, "fsync", real)
        assert self.OLD == target.read_bytes()
        assert ["phone.json"] == sorted(p.name for p in tmp_path.iterdir())

    @pytest.fixture
    def tiny_disk(self, tmp_path: Path) -> Iterator[Path]:
        """A 64 KiB tmpfs (needs root and mount; skipped where the sandbox refuses it)."""
        mount = tmp_path / "tiny"
        mount.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                              capture_output=True, check=False)  # fmt: skip
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        try:
            yield mount
        finally:
            subprocess.run(["umount", str(mount)], check=True)

    def test_real_full_disk(self, tiny_disk: Path) -> None:
        """On a really full filesystem the write fails with a clear error, the old report stays."""
        target = tiny_disk / "phone.json"
        target.write_bytes(self.OLD)
        with pytest.raises(UsageError, match="No space left on device") as caught:
            write_atomic(target, b"x" * (1 << 20))
        assert "nothing was changed" in caught.value.hint
        assert self.OLD == target.read_bytes()
        assert ["phone.json"] == sorted(p.name for p in tiny_disk.iterdir())


# Values of every TOML type; a config key given the wrong one must be refused with a
# MsgscanError naming it, never crash the loader.
WRONG = ['7', '-1', '0', '1.5', 'nan', 'inf', 'true', '"x"', '""', '[]', '[1, "a"]', '{ a = 1 }',
         '1979-05-27T07:32:00Z', '1979-05-27', '07:32:00', '"9999999999999999999999"',
         '99999999999999999999', '"\\u0000"', '["' + 'a' * 300 + '"]', '[[1]]']  # fmt: skip
_ASSIGNMENT = re.compile(r"^(\s*#?\s*)([A-Za-z_][\w-]*)(\s*=\s*)(.+)$", re.MULTILINE)


def mutate(text: str, data: st.DataObject) -> str:
    """Give a few keys of ``text`` (commented-out ones included, uncommented) a wrong value."""
    lines = list(_ASSIGNMENT.finditer(text))
    chosen = data.draw(st.lists(st.sampled_from(lines), min_size=1, max_size=3, unique_by=lambda m: m.start()))
    for m in sorted(chosen, key=lambda m: -m.start()):
        value = data.draw(st.sampled_from(WRONG))
        text = text[: m.start()] + f"{m.group(2)}{m.group(3)}{value}" + text[m.end() :]
    return text


DRILL = settings(max_examples=60, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


@DRILL
@given(data=st.data())
def test_agent_config_with_wrong_types(data: st.DataObject) -> None:
    """agent.example.toml with values of the wrong type: loaded or refused, never a crash."""
    text = mutate((ROOT / "agent.example.toml").read_text(), data)
    try:
        parse_agent_config(text.encode(), "agent.toml", base_dir=Path("/etc/msgscan"))
    except MsgscanError as e:
        assert "agent.toml" in str(e) and e.hint


@DRILL
@given(data=st.data())
def test_policy_with_wrong_types(data: st.DataObject) -> None:
    """policy.example.toml with values of the wrong type: loaded or refused, never a crash."""
    text = mutate((ROOT / "policy.example.toml").read_text(), data)
    try:
        parse_policy(text.encode(), "company.toml", known_checks={c.info.id for c in CHECKS})
    except MsgscanError as e:
        assert "company.toml" in str(e) and e.hint
