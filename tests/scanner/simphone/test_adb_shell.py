"""The simulated phone against adb-shell 0.4.4, our client library (shell v1, sync v1, checksums)."""

from __future__ import annotations

import io
import stat
import threading
import time
from pathlib import Path

import pytest
from adb_shell.adb_device import AdbDeviceTcp  # type: ignore[import-untyped]
from adb_shell.auth.sign_cryptography import CryptographySigner  # type: ignore[import-untyped]
from adb_shell.exceptions import (  # type: ignore[import-untyped]
    AdbCommandFailureException,
    AdbTimeoutError,
    PushFailedError,
    TcpTimeoutException,
)

from scanner.simphone import AuthPolicy, Faults, PhoneServer

from .conftest import BIG, HELLO, MODEL, PhoneFactory


def pub(key: Path) -> str:
    return Path(f"{key}.pub").read_text()


def connect(
    server: PhoneServer,
    key: Path | None,
    *,
    auth_timeout_s: float = 5.0,
    read_timeout_s: float = 5.0,
) -> AdbDeviceTcp:
    device = AdbDeviceTcp("127.0.0.1", server.port, default_transport_timeout_s=read_timeout_s)
    keys = [CryptographySigner(str(key))] if key is not None else None
    device.connect(rsa_keys=keys, auth_timeout_s=auth_timeout_s, read_timeout_s=read_timeout_s)
    return device


@pytest.fixture
def trusted(make_phone: PhoneFactory, host_key: Path) -> PhoneServer:
    return make_phone(auth=AuthPolicy(trusted_keys=(pub(host_key),)))


class TestConnected:
    def test_shell_answers_from_the_responder(self, trusted: PhoneServer, host_key: Path) -> None:
        """A trusted key connects without a prompt and ``shell`` returns the recorded output."""
        device = connect(trusted, host_key)

        assert f"{MODEL}\n" == device.shell("getprop ro.product.model")
        assert 0 == trusted.stats.prompts
        device.close()

    def test_v1_shell_merges_stderr_and_drops_the_exit_code(
        self, trusted: PhoneServer, host_key: Path
    ) -> None:
        """Under shell v1 an unknown command's mksh message arrives as ordinary output."""
        device = connect(trusted, host_key)

        output = device.shell("frobnicate --now")

        assert "/system/bin/sh: frobnicate: inaccessible or not found\n" == output
        assert ["shell:frobnicate --now"] == trusted.services

    def test_exec_out_is_binary_safe(self, trusted: PhoneServer, host_key: Path) -> None:
        """``exec:`` delivers the bytes unchanged, with no CR LF translation."""
        device = connect(trusted, host_key)

        assert f"{MODEL}\n".encode() == device.exec_out("getprop ro.product.model", decode=False)
        assert "exec:getprop ro.product.model" == trusted.services[-1]

    def test_exec_merges_stderr_like_adbd(self, trusted: PhoneServer, host_key: Path) -> None:
        """Without the shell protocol adbd runs the command on a raw PTY: stderr comes along."""
        device = connect(trusted, host_key)

        assert "ls: /nope: No such file or directory\n" == device.exec_out("ls /nope")

    def test_long_output_arrives_whole(self, trusted: PhoneServer, host_key: Path) -> None:
        """Output larger than one WRTE arrives complete and in order."""
        device = connect(trusted, host_key)

        lines = device.shell("seq 100000").splitlines()

        assert [str(i) for i in range(1, 100001)] == lines

    def test_list_includes_dot_entries(self, trusted: PhoneServer, host_key: Path) -> None:
        """LIST yields ``.``, ``..`` and the directory's entries with their metadata."""
        device = connect(trusted, host_key)

        entries = {bytes(f.filename).decode(): f for f in device.list("/sdcard")}

        assert {".", "..", "x.txt", "Download", "empty.txt"} == set(entries)
        assert stat.S_ISDIR(entries["Download"].mode)
        assert (len(HELLO), 1_700_000_000) == (entries["x.txt"].size, entries["x.txt"].mtime)

    def test_stat_reports_mode_size_mtime(self, trusted: PhoneServer, host_key: Path) -> None:
        """STAT returns the file's mode, size and mtime, and zeros for a missing file."""
        device = connect(trusted, host_key)

        assert (stat.S_IFREG | 0o644, len(HELLO), 1_700_000_000) == device.stat("/sdcard/x.txt")
        assert (0, 0, 0) == device.stat("/sdcard/missing")

    def test_pull_copies_the_content(
        self, trusted: PhoneServer, host_key: Path, tmp_path: Path
    ) -> None:
        """RECV delivers small and multi-chunk files byte for byte."""
        device = connect(trusted, host_key)
        small, big = io.BytesIO(), tmp_path / "big.bin"

        device.pull("/sdcard/x.txt", small)
        device.pull("/sdcard/Download/big.bin", str(big))

        assert (HELLO, BIG) == (small.getvalue(), big.read_bytes())

    def test_pull_of_a_private_file_fails(self, trusted: PhoneServer, host_key: Path) -> None:
        """A file known only by its metadata fails like an unreadable app-private file."""
        device = connect(trusted, host_key)

        with pytest.raises(AdbCommandFailureException, match="open failed: Permission denied"):
            device.pull("/data/data/com.whatsapp/databases/msgstore.db", io.BytesIO())

    def test_push_fails_read_only(self, trusted: PhoneServer, host_key: Path) -> None:
        """SEND is refused at once, without leaving adb-shell waiting."""
        device = connect(trusted, host_key)

        with pytest.raises(PushFailedError, match="Read-only file system"):
            device.push(io.BytesIO(b"x" * 10_000), "/sdcard/new.txt")
        assert "hi\n" == device.shell("echo hi")

    def test_a_hundred_round_trips_are_quick(self, trusted: PhoneServer, host_key: Path) -> None:
        """The phone acks at once, so adb-shell's split writes never wait for a delayed ACK."""
        device = connect(trusted, host_key)

        started = time.perf_counter()
        for _ in range(100):
            device.shell("true")
        elapsed = time.perf_counter() - started

        assert elapsed < 2.0, f"100 exchanges took {elapsed:.2f} s (delayed-ACK stalls?)"


class TestAuth:
    def test_unanswered_prompt_times_out(self, make_phone: PhoneFactory, host_key: Path) -> None:
        """An unknown key meets silence; adb-shell gives up after its auth timeout, not later."""
        phone = make_phone(auth=AuthPolicy(prompt="never"))

        started = time.monotonic()
        with pytest.raises(TcpTimeoutException):
            connect(phone, host_key, auth_timeout_s=0.5)

        assert time.monotonic() - started < 5.0
        assert 1 == phone.stats.prompts
        assert [] == phone.services

    def test_accepted_prompt_connects_and_remembers_the_key(
        self, make_phone: PhoneFactory, host_key: Path
    ) -> None:
        """After the user taps Allow the key is kept: the next connection needs no prompt."""
        phone = make_phone(auth=AuthPolicy(prompt="accept", prompt_delay_s=0.1))

        connect(phone, host_key).close()
        device = connect(phone, host_key)

        assert f"{MODEL}\n" == device.shell("getprop ro.product.model")
        assert 1 == phone.stats.prompts

    def test_refuse_auth_rejects_even_trusted_keys(
        self, make_phone: PhoneFactory, host_key: Path
    ) -> None:
        """With ``refuse_auth`` a trusted key and an accepting user still get nowhere."""
        phone = make_phone(
            auth=AuthPolicy(trusted_keys=(pub(host_key),), prompt="accept"),
            faults=Faults(refuse_auth=True),
        )

        with pytest.raises(TcpTimeoutException):
            connect(phone, host_key, auth_timeout_s=0.5)
        assert 0 == phone.stats.prompts

    def test_no_auth_needs_no_key(self, make_phone: PhoneFactory) -> None:
        """A phone with auth off answers CNXN at once, so a client without keys connects."""
        phone = make_phone(auth=AuthPolicy(required=False))

        assert f"{MODEL}\n" == connect(phone, None).shell("getprop ro.product.model")

    def test_accept_any_key(self, make_phone: PhoneFactory, other_key: Path) -> None:
        """``accept_any_key`` lets any signature in."""
        phone = make_phone(auth=AuthPolicy(accept_any_key=True))

        assert "hi\n" == connect(phone, other_key).shell("echo hi")


class TestFaults:
    def test_drop_makes_the_client_raise(self, trusted: PhoneServer, host_key: Path) -> None:
        """A connection dropped mid-output raises at once instead of waiting for a timeout."""
        device = connect(trusted, host_key, read_timeout_s=30.0)
        trusted.faults = Faults(drop_after_bytes=1000)

        started = time.monotonic()
        with pytest.raises(OSError):  # ConnectionResetError: the phone sends RST
            device.shell("seq 100000")

        assert time.monotonic() - started < 5.0

    def test_drop_set_at_runtime_hits_the_next_command(
        self, trusted: PhoneServer, host_key: Path
    ) -> None:
        """Faults assigned while connected apply to the next packet the phone sends."""
        device = connect(trusted, host_key)
        assert "hi\n" == device.shell("echo hi")

        trusted.faults = Faults(drop_after_bytes=0)

        with pytest.raises(OSError):
            device.shell("echo hi")

    def test_hang_ends_in_the_read_timeout(self, trusted: PhoneServer, host_key: Path) -> None:
        """A phone that stops talking but keeps the socket open leaves only the timeout."""
        device = connect(trusted, host_key, read_timeout_s=0.5)
        trusted.faults = Faults(hang_after_bytes=100)

        started = time.monotonic()
        with pytest.raises((TcpTimeoutException, AdbTimeoutError)):
            device.shell("seq 100000", read_timeout_s=0.5)

        assert time.monotonic() - started < 5.0
        assert 1 == trusted.open_connections

    def test_corruption_keeps_length_and_checksum(
        self, trusted: PhoneServer, host_key: Path
    ) -> None:
        """Corrupted output passes adb-shell's checksum and differs from the truth."""
        device = connect(trusted, host_key)
        trusted.faults = Faults(corrupt=True)

        output = device.shell("getprop ro.product.model", decode=False)

        assert len(f"{MODEL}\n") == len(output)
        assert f"{MODEL}\n".encode() != output

    def test_latency_and_device_time_slow_the_answer(
        self, trusted: PhoneServer, host_key: Path
    ) -> None:
        """Latency delays every packet and ``use_device_time`` adds the recorded duration."""
        device = connect(trusted, host_key)
        trusted.faults = Faults(latency_s=0.05, use_device_time=True)

        started = time.monotonic()
        assert "done\n" == device.shell("slow")

        # The 0.3 s of device time overlaps the OKAY's delay; the WRTE and CLSE come after it.
        assert time.monotonic() - started >= 0.3 + 2 * 0.05 - 0.01


class TestConcurrency:
    def test_many_phones_and_clients_at_once(
        self, make_phone: PhoneFactory, host_key: Path
    ) -> None:
        """Twenty phones with two clients each answer correctly in parallel."""
        phones = [make_phone(auth=AuthPolicy(trusted_keys=(pub(host_key),))) for _ in range(20)]
        results: list[str] = []
        failures: list[BaseException] = []

        def scan(phone: PhoneServer) -> None:
            try:
                device = connect(phone, host_key)
                for _ in range(10):
                    results.append(device.shell("getprop ro.product.model"))
                device.close()
            except BaseException as e:  # noqa: BLE001 - reported below
                failures.append(e)

        threads = [threading.Thread(target=scan, args=(p,)) for p in phones for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)

        assert [] == failures
        assert [f"{MODEL}\n"] * 400 == results
        assert [2] * 20 == [p.connections for p in phones]
