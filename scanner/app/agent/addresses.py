"""Which phone answers at which TCP address, so a phone keeps one identity across addresses.

A phone over TCP is known by its own serial once a scan has read it (``scanner.collect``); its
address (``host:port``) is a separate fact that changes with DHCP. When an address cannot be
reached, this map names the phone last seen there, so the failed attempt is recorded against
that phone (its results go stale) rather than against a new "device" called by its address.
Kept as ``addresses.json`` in the state folder (written atomically; a damaged file is ignored
and rebuilt by the next scans).

What a round learns goes first to ``addresses.journal`` beside it, one line a change, each
written and ``fdatasync``-ed before the phone's scan is recorded (as the whole file was before):
an agent killed mid-round forgets no phone it recorded. The round's end (``flush``) writes the
whole map once and removes the journal; loading replays a journal left behind (a line cut short
by the kill, or damaged, is skipped) and the next ``flush`` folds it in. A line replayed over a
map that already holds it changes nothing, so a kill between the two steps loses nothing either.
Writing the whole map for each new phone cost a file created, fsynced and renamed, and a map
encoded, for every phone of a first round (bench/RESULTS.md, "Agent round", session 26).
"""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import structlog

from checks.errors import MsgscanError
from scanner.files import LIMIT_REPORT, write_atomic

log = structlog.get_logger("msgscan.agent")
FILE = "addresses.json"
JOURNAL = "addresses.journal"


class Addresses:
    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / FILE
        self.journal = state_dir / JOURNAL
        self.by_address: dict[str, str] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                self.by_address = {str(k): str(v) for k, v in data.items()}
        except (OSError, ValueError, RecursionError):
            pass
        self.newest = {d: a for a, d in self.by_address.items()}
        """Device -> its newest address (the last of its entries)."""
        self._lock = threading.Lock()
        """A hotplug round may record beside a scheduled one."""
        self._fd: int | None = None
        """The journal, open for appending once this process wrote to it."""
        self._torn = False
        """The journal may end inside a line (a failed write, a kill): the next starts anew."""
        self._unfolded = self._replay()
        """The journal holds lines ``addresses.json`` does not: ``flush`` folds them in."""

    def device_at(self, address: str) -> str | None:
        return self.by_address.get(address)

    def address_of(self, device: str) -> str | None:
        return self.newest.get(device)

    def remember(self, address: str, device: str) -> None:
        with self._lock:
            if not self._apply(address, device):
                return  # already the phone's newest address: nothing to write (every round's case)
            line = json.dumps([address, device]).encode() + b"\n"  # one line: JSON escapes \n
            try:
                self._append(line)
            except OSError as e:  # the whole map at once, as before the journal
                log.error(
                    "addresses.write_failed",
                    problem=f"{self.journal}: cannot write ({e.strerror or e})",
                )
                self._write_map()
                return
            self._unfolded = True

    def flush(self) -> None:
        """Write the whole map (atomically) and remove the journal it now holds: the round's
        end. Nothing to fold in: nothing is written."""
        with self._lock:
            if not self._unfolded or not self._write_map():
                return  # nothing to fold in; or the journal stays: a load still has every line
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            try:
                os.unlink(self.journal)
            except FileNotFoundError:
                pass
            except OSError as e:  # replayed over the new map next time: it changes nothing
                log.error(
                    "addresses.write_failed",
                    problem=f"{self.journal}: cannot remove ({e.strerror or e})",
                )
            self._unfolded = False

    def _write_map(self) -> bool:
        # What json.dumps(indent=1) wrote, by its C encoder (indent makes it the Python one).
        text = json.dumps(self.by_address, separators=(",\n ", ": "))
        text = "{\n " + text[1:-1] + "\n}" if self.by_address else text
        try:
            write_atomic(self.path, (text + "\n").encode())
        except MsgscanError as e:
            log.error("addresses.write_failed", problem=e.problem)
            return False
        return True

    def _apply(self, address: str, device: str) -> bool:
        """Make ``address`` the newest of ``device``; False when it was already."""
        if self.by_address.get(address) == device and self.newest.get(device) == address:
            return False
        # The newest address of a phone comes last; an old one still names the phone, so a
        # failed attempt there is no new device.
        before = self.by_address.pop(address, None)
        self.by_address[address] = device
        self.newest[device] = address
        if before is not None and before != device and self.newest.get(before) == address:
            older = [a for a, d in self.by_address.items() if d == before]
            if older:
                self.newest[before] = older[-1]
            else:
                del self.newest[before]
        return True

    def _append(self, line: bytes) -> None:
        if self._fd is None:
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW
            fd = os.open(self.journal, flags | os.O_NONBLOCK, 0o600)  # a FIFO: no wait
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # a FIFO or a device in its place
                os.close(fd)
                raise OSError(f"{self.journal} is not a regular file")
            self._fd = fd
        view = memoryview(b"\n" + line if self._torn else line)  # review12: a full disk
        self._torn = True
        while view:
            view = view[os.write(self._fd, view) :]
        os.fdatasync(self._fd)  # on disk before the scan it names is recorded
        self._torn = False

    def _replay(self) -> bool:
        """Apply a journal a killed agent left behind; True when there is one."""
        try:
            fd = os.open(self.journal, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return False
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return False
            with os.fdopen(fd, "rb", closefd=False) as f:
                data = f.read(LIMIT_REPORT)  # a phone a line: far more than any fleet
        except OSError:
            return False
        finally:
            os.close(fd)
        self._torn = bool(data) and not data.endswith(b"\n")
        for line in data.splitlines():
            try:
                entry = json.loads(line)
            except (ValueError, RecursionError):
                continue  # cut short by the kill, or damaged
            if type(entry) is list and len(entry) == 2 and all(type(v) is str for v in entry):
                self._apply(entry[0], entry[1])
        return True


__all__ = ["Addresses"]
