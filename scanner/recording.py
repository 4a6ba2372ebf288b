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
import math
import os
from collections.abc import Mapping
from typing import Any

from msgspec import Struct, field

from checks.errors import RecordingError
from scanner.files import LIMIT_RECORDING, parse_json, read_regular, write_atomic

__all__ = ["Recording", "load", "save"]

FORMAT = "msgscan-recording"
VERSION = 1


class Command(Struct, frozen=True):
    argv: tuple[str, ...]
    stdout: bytes
    stderr: bytes = b""
    exit_code: int | None = 0
    device_ms: float = 0.0


class FileEntry(Struct, frozen=True):
    path: str
    mode: int
    size: int
    mtime: int
    content: bytes | None = None


class DeviceLabel(Struct, frozen=True):
    """What the phone says about itself in its ADB banner (and the serial it is known by)."""

    serial: str
    product: str = "msgscan_sim"
    model: str = "Simulated"
    device: str = "sim"


class Recording(Struct, frozen=True):
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
            content = (
                _get_bytes(f, "content", where)
                if ("content" in f or "content_base64" in f)
                else None
            )
            files.append(
                FileEntry(str(f["path"]), int(f["mode"]), int(f["size"]), int(f["mtime"]), content)
            )
        except (KeyError, TypeError, ValueError) as e:
            raise RecordingError(f"{where}: needs path, mode, size and mtime", hint=hint) from e
    meta = raw.get("meta", {})
    if not isinstance(meta, dict):
        raise RecordingError(f"{source}: meta must be an object", hint=hint)
    _check_maxdata(meta.get("maxdata", MAXDATA_RANGE[1]), source, hint)
    return Recording(device, tuple(commands), meta, tuple(files))


def load(path: str | os.PathLike[str]) -> Recording:
    hint = "pass a file written by `msgscan record`"
    data = read_regular(path, what="the recording", limit=LIMIT_RECORDING, hint=hint,
                        error=RecordingError)
    return from_json(parse_json(data, source=str(path), hint=hint, error=RecordingError), str(path))


MAXDATA_RANGE = (64, 1 << 20)
"""What ``meta.maxdata`` may say: adbd's smallest packet payload (``MAX_PAYLOAD_V1`` is 4 KiB,
a replay test may go lower) up to ``MAX_PAYLOAD`` (1 MiB, adb/adb.h)."""


def _check_maxdata(value: object, source: str, hint: str) -> None:
    low, high = MAXDATA_RANGE
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or value != int(value) or not low <= value <= high:
        raise RecordingError(
            f"{source}: meta.maxdata must be a whole number of bytes from {low} to {high}, "
            f"got {json.dumps(value)[:40]}", hint=hint)


def dumps(recording: Recording) -> bytes:
    return (json.dumps(to_json(recording), indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def save(recording: Recording, path: str | os.PathLike[str]) -> None:
    write_atomic(path, dumps(recording))
