"""Recordings: every raw output a scan needs, saved so a scan can run again with no phone.

Format (JSON, UTF-8), documented in docs/recording-format.md::

    {
      "format": "msgscan-recording",
      "version": 1,
      "meta": {"source": "recorded" | "constructed", "how_made": "...", "created": "...",
               "msgscan_version": "...", "description": "...", "expect": {...}},
      "device": {"serial": "...", "product": "...", "model": "...", "device": "..."},
      "commands": [{"argv": ["getprop"], "stdout": "...", "stderr": "", "exit_code": 0,
                    "device_ms": 12.5}],
      "files": [{"path": "/sdcard/x", "mode": 33188, "size": 3, "mtime": 1700000000,
                 "content": "..."}]
    }

``stdout``/``stderr`` hold text; output that is not valid UTF-8 is stored as ``stdout_base64`` /
``stderr_base64`` instead, byte for byte. ``exit_code`` is null when the recording transport
could not see it. ``files`` is optional: a virtual file tree (metadata, and content only for
files a test pulls) for the simulated phone's sync service.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checks.errors import RecordingError, UsageError

FORMAT = "msgscan-recording"
VERSION = 1


@dataclass(frozen=True, slots=True)
class Command:
    argv: tuple[str, ...]
    stdout: bytes
    stderr: bytes = b""
    exit_code: int | None = 0
    device_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class FileEntry:
    path: str
    mode: int
    size: int
    mtime: int
    content: bytes | None = None


@dataclass(frozen=True, slots=True)
class DeviceLabel:
    """What the phone says about itself in its ADB banner (and the serial it is known by)."""

    serial: str
    product: str = "msgscan_sim"
    model: str = "Simulated"
    device: str = "sim"


@dataclass(frozen=True, slots=True)
class Recording:
    device: DeviceLabel
    commands: tuple[Command, ...]
    meta: Mapping[str, Any] = field(default_factory=dict)
    files: tuple[FileEntry, ...] = ()

    def index(self) -> dict[tuple[str, ...], Command]:
        """argv -> command; a later entry for the same argv wins (re-recorded output)."""
        return {c.argv: c for c in self.commands}


def _put_bytes(out: dict[str, Any], key: str, data: bytes) -> None:
    try:
        out[key] = data.decode("utf-8")
    except UnicodeDecodeError:
        out[f"{key}_base64"] = base64.b64encode(data).decode("ascii")


def _get_bytes(raw: Mapping[str, Any], key: str, where: str) -> bytes:
    if f"{key}_base64" in raw:
        try:
            return base64.b64decode(raw[f"{key}_base64"], validate=True)
        except (ValueError, TypeError) as e:
            raise RecordingError(
                f"{where}: {key}_base64 is not valid base64", hint="re-record the phone"
            ) from e
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise RecordingError(f"{where}: {key} must be a string", hint="re-record the phone")
    return value.encode("utf-8")


def to_json(recording: Recording) -> dict[str, Any]:
    commands = []
    for c in recording.commands:
        entry: dict[str, Any] = {"argv": list(c.argv)}
        _put_bytes(entry, "stdout", c.stdout)
        _put_bytes(entry, "stderr", c.stderr)
        entry["exit_code"] = c.exit_code
        entry["device_ms"] = round(c.device_ms, 3)
        commands.append(entry)
    files = []
    for f in recording.files:
        fe: dict[str, Any] = {"path": f.path, "mode": f.mode, "size": f.size, "mtime": f.mtime}
        if f.content is not None:
            _put_bytes(fe, "content", f.content)
        files.append(fe)
    d = recording.device
    out: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "meta": dict(recording.meta),
        "device": {"serial": d.serial, "product": d.product, "model": d.model, "device": d.device},
        "commands": commands,
    }
    if files:
        out["files"] = files
    return out


def from_json(raw: Any, source: str) -> Recording:
    """Validate and load; every problem names the file and the entry."""
    hint = "pass a file written by `msgscan record` (format msgscan-recording, version 1)"
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise RecordingError(f"{source}: not a msgscan recording", hint=hint)
    if raw.get("version") != VERSION:
        raise RecordingError(
            f"{source}: recording format version {raw.get('version')!r} is not supported "
            f"(this msgscan reads version {VERSION})",
            hint="re-record the phone with this msgscan version",
        )
    dev = raw.get("device")
    if not isinstance(dev, dict) or not isinstance(dev.get("serial"), str):
        raise RecordingError(f"{source}: device.serial is missing", hint=hint)
    device = DeviceLabel(
        serial=dev["serial"],
        product=str(dev.get("product", "msgscan_sim")),
        model=str(dev.get("model", "Simulated")),
        device=str(dev.get("device", "sim")),
    )
    commands: list[Command] = []
    raw_commands = raw.get("commands")
    if not isinstance(raw_commands, list):
        raise RecordingError(f"{source}: commands must be a list", hint=hint)
    for i, c in enumerate(raw_commands):
        where = f"{source}: commands[{i}]"
        if not isinstance(c, dict):
            raise RecordingError(f"{where} is not an object", hint=hint)
        argv = c.get("argv")
        if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
            raise RecordingError(f"{where}.argv must be a non-empty list of strings", hint=hint)
        exit_code = c.get("exit_code", 0)
        if exit_code is not None and not isinstance(exit_code, int):
            raise RecordingError(f"{where}.exit_code must be an integer or null", hint=hint)
        device_ms = c.get("device_ms", 0.0)
        if not isinstance(device_ms, int | float):
            raise RecordingError(f"{where}.device_ms must be a number", hint=hint)
        commands.append(
            Command(
                tuple(argv),
                _get_bytes(c, "stdout", where),
                _get_bytes(c, "stderr", where),
                exit_code,
                float(device_ms),
            )
        )
    files: list[FileEntry] = []
    raw_files = raw.get("files", [])
    if not isinstance(raw_files, list):
        raise RecordingError(f"{source}: files must be a list", hint=hint)
    for i, f in enumerate(raw_files):
        where = f"{source}: files[{i}]"
        if not isinstance(f, dict):
            raise RecordingError(f"{where} is not an object", hint=hint)
        try:
            content = _get_bytes(f, "content", where) if ("content" in f or "content_base64" in f) else None
            files.append(FileEntry(str(f["path"]), int(f["mode"]), int(f["size"]), int(f["mtime"]), content))
        except (KeyError, TypeError, ValueError) as e:
            raise RecordingError(f"{where}: needs path, mode, size and mtime", hint=hint) from e
    meta = raw.get("meta", {})
    if not isinstance(meta, dict):
        raise RecordingError(f"{source}: meta must be an object", hint=hint)
    return Recording(device, tuple(commands), meta, tuple(files))


def load(path: str | os.PathLike[str]) -> Recording:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise RecordingError(f"{p}: no such file", hint="check the path to the recording") from e
    except (OSError, UnicodeDecodeError) as e:
        raise RecordingError(f"{p}: cannot read: {e}", hint="check the file and its permissions") from e
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        raise RecordingError(
            f"{p}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})",
            hint="pass a file written by `msgscan record`",
        ) from e
    return from_json(raw, str(p))


def dumps(recording: Recording) -> bytes:
    return (json.dumps(to_json(recording), indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    A file that cannot be written (missing folder, a directory in the way, no permission, disk
    full) raises ``UsageError`` naming it; the old file, if any, is left as it was.
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        _write_atomic(target, directory, data)
    except OSError as e:
        raise UsageError(
            f"{target}: cannot write ({e.strerror or e})",
            hint="check that the folder exists, is writable and has space; nothing was changed",
        ) from None


def _current_umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


_UMASK = _current_umask()
"""Read once at import (os.umask can only be read by setting it, which threads must not race)."""


def _write_atomic(target: Path, directory: Path, data: bytes) -> None:
    if target.is_dir():
        raise IsADirectoryError(21, "Is a directory")
    try:  # the new file gets the old one's permissions, or what a plain open() would give
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o666 & ~_UMASK
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)  # mkstemp makes 0600
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def save(recording: Recording, path: str | os.PathLike[str]) -> None:
    write_atomic(path, dumps(recording))
