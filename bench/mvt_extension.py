"""Give a msgscan recording the commands MVT 2.7.0 ``check-adb`` runs, so it can scan the same phone.

A msgscan recording holds only msgscan's commands; every other command answers 127 ("inaccessible
or not found") on the simulated phone, and MVT then sees no packages at all and finishes at once,
which would compare nothing. This module derives, from the recording's own ``dumpsys package
packages`` and ``getprop``, the outputs of the commands MVT's Packages, Getprop and Settings
modules send (mvt/android/modules/adb/{packages,getprop,settings}.py, 2.7.0), in the formats of
AOSP's ``pm`` (PackageManagerShellCommand: ``package:<apk>=<name>  installer=<pkg>``), ``pm path``
(``package:<apk>``), toybox ``md5sum``/``sha*sum`` (``<hex>  <file>``) and ``settings list``
(``key=value``):

* ``pm list packages -u -i -f`` (and ``-d``, ``-s``, ``-3``), each with ``--user 0`` too;
* per package: ``pm path <pkg>``, ``md5sum``/``sha1sum``/``sha256sum``/``sha512sum <apk>`` (made-up
  but stable digests: the phone has no APK bytes) and ``dumpsys package <pkg>`` (its block from
  the full dump, under a ``Packages:`` header);
* ``cmd settings list system|secure|global`` (a few typical keys).

Device times for the new commands follow the recording's own estimates (``construct._ms``):
15 ms for a small command, 200 ms + for a per-package dump. Bench-only: nothing in msgscan uses it.
"""

from __future__ import annotations

import hashlib
import re

from scanner import probes
from scanner.recording import Command, Recording

_BLOCK = re.compile(r"^  Package \[([^\]\s]+)\] \(", re.MULTILINE)
_CODE_PATH = re.compile(r"^    codePath=(\S+)", re.MULTILINE)
_INSTALLER = re.compile(r"^    installerPackageName=(\S+)", re.MULTILINE)
_FLAGS = re.compile(r"^    (?:pkg)?[fF]lags=\[([^\]]*)\]", re.MULTILINE)
_SETTINGS = {
    "system": "screen_brightness=102\nscreen_off_timeout=60000\nfont_scale=1.0\n",
    "secure": "android_id=0000000000000000\nlocation_mode=3\nbackup_enabled=1\n",
    "global": "adb_enabled=1\nairplane_mode_on=0\ndevelopment_settings_enabled=1\n",
}


def _blocks(dump: str) -> dict[str, str]:
    """Package name -> its block in the ``Packages:`` section."""
    section = dump.split("\nHidden system packages:", 1)[0]
    starts = list(_BLOCK.finditer(section))
    blocks = {}
    for m, nxt in zip(starts, [*starts[1:], None], strict=True):
        blocks.setdefault(m.group(1), section[m.start() : nxt.start() if nxt else len(section)])
    return blocks


def _digest(kind: str, path: str) -> str:
    return hashlib.new(kind, f"msgscan-sim:{path}".encode()).hexdigest()


def mvt_commands(rec: Recording) -> tuple[Command, ...]:
    index = rec.index()
    dump = index[probes.PACKAGES.argv].stdout.decode("utf-8", "replace")
    blocks = _blocks(dump)
    per_package_ms = 200.0 + 6.0 * len(blocks) / 10  # a filtered dump is cheaper than a full one
    out: list[Command] = []
    listing, system, third, disabled = [], [], [], []
    for name, block in blocks.items():
        code = _CODE_PATH.search(block)
        apk = f"{code.group(1) if code else '/data/app/' + name}/base.apk"
        inst = _INSTALLER.search(block)
        installer = inst.group(1) if inst else "null"
        listing.append(f"package:{apk}={name}  installer={installer}")
        flags = _FLAGS.search(block)
        (system if flags and "SYSTEM" in flags.group(1) else third).append(f"package:{name}")
        if "enabled=2" in block or "enabled=3" in block:
            disabled.append(f"package:{name}")
        out.append(Command(("pm", "path", name), f"package:{apk}\n".encode(), device_ms=120.0))
        out.append(Command(("pm", "path", name, "--user", "0"), f"package:{apk}\n".encode(), device_ms=120.0))
        for kind in ("md5", "sha1", "sha256", "sha512"):
            line = f"{_digest(kind, apk)}  {apk}\n".encode()
            out.append(Command((f"{kind}sum", apk), line, device_ms=40.0))
        text = "Packages:\n" + block.rstrip("\n") + "\n\n"
        out.append(Command(("dumpsys", "package", name), text.encode(), device_ms=per_package_ms))
    for args, lines in (("-u -i -f", listing), ("-d", disabled), ("-s", system), ("-3", third)):
        data = "".join(f"{line}\n" for line in lines).encode()
        for user in ((), ("--user", "0")):
            out.append(Command(("pm", "list", "packages", *args.split(), *user), data, device_ms=450.0))
    for namespace, text in _SETTINGS.items():
        out.append(Command(("cmd", "settings", "list", namespace), text.encode(), device_ms=60.0))
    return tuple(out)


def with_mvt_commands(rec: Recording) -> Recording:
    meta = {**rec.meta, "description": f"{rec.meta.get('description', '')} + MVT 2.7.0 commands "
            "(bench/mvt_extension.py)"}
    return Recording(rec.device, (*rec.commands, *mvt_commands(rec)), meta, rec.files)
