"""Read each installed messenger's signer from its base.apk by byte ranges, never the whole APK.

The reads ride on the scan's batches (``scanner.batch``), at most ``MAX_ROUNDS`` of them:

1. In the storage exchange, for every messenger: ``pm path [--user N] PKG`` (which APK), and
   ``tail -c 22 <codePath>/base.apk``, the ZIP end-of-central-directory (EOCD) of the APK that
   ``dumpsys package`` already named (``codePath=``, read in the inventory exchange).
2. One added exchange: ``dd`` of the ``WINDOW`` bytes that end where the central directory
   starts. They hold the APK Signing Block (v2, v3, v3.1 with its lineage) of every real APK
   whose block is smaller than the window; it is parsed on the host.

Only three cases take more exchanges: a block larger than the window (its size is in the footer
read; one more exchange reads it whole, up to ``MAX_BLOCK``), an APK that ``pm path`` puts
elsewhere than ``<codePath>/base.apk`` (e.g. a preinstalled ``/system/app/X/X.apk``: one more for
its EOCD) and an APK signed with v1 only (no signing block: one exchange reads its central
directory, one the ``META-INF/*.RSA`` entry). Per messenger at most ``WINDOW`` + 1 KiB + 22 bytes
(17 KiB) is read in the common case; a large block adds ``MAX_BLOCK`` + 1 KiB, v1 only ``2 *
CD_PIECE + V1_ENTRY_MAX`` + 2 KiB: under 64 KiB per messenger in every case (``MAX_BYTES``).

Bytes travel raw. Since Android 7 adbd runs a ``shell:`` command without a PTY (raw subprocess,
AOSP ``shell_service.cpp``), so binary output arrives as is; before (SDK <= 23) the PTY turns
every LF into CR LF, which ``unmangle`` undoes exactly (every LF in the output then follows an
inserted CR). ``dd`` reports on stderr (merged by the batch's ``2>&1``) how many bytes it
copied; a read is only used when that count matches the bytes that arrived.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from msgspec import Struct, field

from checks.catalog import VARIANTS
from checks.facts import Package, SignerEvidence, SigningCertificate, Unseen
from scanner import names
from scanner.batch import BatchResult, Output
from scanner.parse import apk_signing as sig
from scanner.probes import Probe

WINDOW = 16 << 10
"""Bytes read before the central directory: the signing block of any APK up to this size
(Play-signed APKs carry 4-8 KiB, padded to 4 KiB multiples)."""
MAX_BLOCK = 44 << 10
"""A larger block (its size is in the footer the window holds) is read whole in one more
exchange up to this size; beyond it the signer is ``unknown``."""
BLOCK = 512
"""``dd`` block size: the window is widened to whole blocks (at most 2 * 511 bytes more)."""
CD_PIECE = 12 << 10
"""v1 only: bytes read from the central directory's start and end (jarsigner writes
META-INF first, apksigner last)."""
V1_ENTRY_MAX = 7 << 10
MAX_BYTES = max(WINDOW + MAX_BLOCK, WINDOW + 2 * CD_PIECE + V1_ENTRY_MAX) + 4 * BLOCK + 1024 + 22
"""The most bytes of one APK a scan reads (window, then a large block or the v1 reads)."""
MAX_ROUNDS = 4
"""Exchanges at most (the storage exchange included); 2 for every APK with a signing block."""

_APK_PATH = re.compile(r"/[A-Za-z0-9._~=+/-]{1,1000}")
_DD_TAIL = re.compile(rb"(\d+)\+(\d+) records in\r?\n(\d+)\+(\d+) records out\r?\n(\d+) bytes")
_PACKAGE_HEAD = re.compile(r"^  Package \[([^\]]+)\]", re.MULTILINE)
_CODE_PATH = re.compile(r"^    codePath=(\S+)", re.MULTILINE)
_SIGNATURES = re.compile(
    r"^    signatures=PackageSignatures\{[0-9a-f]+ "
    r"(?:\[|version:\d+, signatures:\[)([0-9a-f, ]*)\]",
    re.MULTILINE,
)


def is_apk_path(path: object) -> bool:
    return (
        isinstance(path, str)
        and _APK_PATH.fullmatch(path) is not None
        and ".." not in path.split("/")
    )


def unmangle(raw: bytes, sdk: int | None) -> bytes:
    """Undo the PTY's LF -> CR LF of adbd before Android 7 (see the module doc)."""
    return raw.replace(b"\r\n", b"\n") if sdk is not None and sdk <= 23 else raw


def dd_data(raw: bytes) -> bytes | None:
    """The bytes ``dd`` copied, when its own report right after them confirms their number."""
    last = _last_report(raw)
    if last is None:
        return None
    n = int(last.group(5))
    report = _DD_TAIL.match(raw, n) if n <= len(raw) else None
    if report is None or report.end() != last.end():
        return None
    return raw[:n]


_RECORDS_IN = b" records in"
_DIGITS = frozenset(b"0123456789")  # what ``\\d`` matches in a bytes pattern


def _last_report(raw: bytes) -> re.Match[bytes] | None:
    """The last match of ``_DD_TAIL.finditer(raw)``, found from the end: the regex tried at
    every byte of the 16 KiB read costs ~0.2 ms, and a report is the read's last line.

    Two matches cannot overlap (one could start only at a digit run followed by "+", and
    inside a match those are its first run, or its third, which " records out" follows), so
    the matches ``finditer`` finds are those at the start of a digit run, in the order of their
    " records in". The last one is at the latest " records in" that the whole pattern matches
    around: its two digit runs before it, with "+" between them, and the rest after it."""
    at = len(raw)
    while (at := raw.rfind(_RECORDS_IN, 0, at)) >= 0:  # " records in" cannot overlap itself
        plus = at
        while plus and raw[plus - 1] in _DIGITS:
            plus -= 1
        if plus == at or plus == 0 or raw[plus - 1] != 0x2B:  # no digits, or no "+" before
            continue
        start = plus - 1
        while start and raw[start - 1] in _DIGITS:
            start -= 1
        if start == plus - 1:
            continue
        found = _DD_TAIL.match(raw, start)
        if found is not None:
            return found
    return None


def package_facts(
    dumpsys: str, wanted: Collection[str] | None = None
) -> dict[str, tuple[str | None, tuple[str, ...]]]:
    """Package -> (codePath, ``signatures:[…]`` hashes) from ``dumpsys package packages``; the
    first block of a package wins (``Packages:`` precedes ``Hidden system packages:``).
    ``wanted``: only these packages (a scan reads the messengers' signers, not 300 packages')."""
    out: dict[str, tuple[str | None, tuple[str, ...]]] = {}
    if wanted is not None:
        for name in wanted:  # each block found by its header line, at C speed
            body = _block(dumpsys, name)
            if body is not None:
                out[name] = _facts(body)
        return out
    heads = list(_PACKAGE_HEAD.finditer(dumpsys))
    for i, head in enumerate(heads):
        name = head.group(1)
        if name in out:
            continue
        out[name] = _facts(
            dumpsys[head.end() : heads[i + 1].start() if i + 1 < len(heads) else len(dumpsys)]
        )
    return out


def _block(dumpsys: str, name: str) -> str | None:
    """The text after the first ``  Package [name]`` header line, up to the next header: what
    ``_PACKAGE_HEAD`` finds for ``name`` (its name ends at the first "]")."""
    if "]" in name:
        return None
    head = f"  Package [{name}]"
    if dumpsys.startswith(head):
        at = 0
    else:
        at = dumpsys.find("\n" + head)
        if at < 0:
            return None
        at += 1
    end = at + len(head)
    after = _PACKAGE_HEAD.search(dumpsys, end)
    return dumpsys[end : after.start() if after else len(dumpsys)]


def _facts(body: str) -> tuple[str | None, tuple[str, ...]]:
    code = _CODE_PATH.search(body)
    sigs = _SIGNATURES.search(body)
    hashes = tuple(h.strip() for h in sigs.group(1).split(",") if h.strip()) if sigs else ()
    return code.group(1) if code else None, hashes


def _dd(path: str, start: int, end: int) -> tuple[str, ...]:
    first = start // BLOCK
    count = -(-(end - first * BLOCK) // BLOCK)
    return ("dd", f"if={path}", f"bs={BLOCK}", f"skip={first}", f"count={count}")


class _Apk(Struct):
    package: str
    user_id: int
    guess: str | None
    dumpsys_hashes: tuple[str, ...]
    path: str | None = None
    eocd: sig.Eocd | None = None
    eocd_of: str | None = None
    signers: list[sig.Signer] | None = None
    cd: bytes | None = None
    entry: sig.ZipEntry | None = None
    block: int | None = None
    """Size of a signing block larger than the window, read whole next."""
    failure: str | None = None
    read: int = 0
    asked: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)

    def key(self, what: str) -> str:
        return f"signer:{self.package}:{what}"

    @property
    def done(self) -> bool:
        return self.failure is not None or self.signers is not None


class SignerReads:
    """The plan and the state of reading every messenger's signer over a scan's batches."""

    def __init__(self, packages: Iterable[Package], dumpsys: str | None, sdk: int | None) -> None:
        self.sdk = sdk
        self.rounds = 0
        self.apks: list[_Apk] = []
        read: list[tuple[Package, int]] = []
        for p in packages:
            if p.name not in VARIANTS:  # first: most of a phone's packages are no messenger
                continue
            users = p.installed_for()
            if not names.is_package_name(p.name) or not users:
                continue
            user = next((u for u in users if names.is_user_id(u)), None)
            if user is None:
                continue
            read.append((p, user))
        wanted = {p.name for p, _ in read}
        facts = package_facts(dumpsys, wanted) if dumpsys and wanted else {}
        for p, user in read:
            code, hashes = facts.get(p.name, (None, ()))
            guess = f"{code}/base.apk" if code and is_apk_path(f"{code}/base.apk") else None
            self.apks.append(_Apk(p.name, user, guess, hashes))

    def probes(self) -> tuple[Probe, ...]:
        """What the next exchange should run; empty when every signer is read or given up."""
        if self.rounds >= MAX_ROUNDS:
            for apk in self.apks:
                if not apk.done:
                    apk.failure = f"not read within {MAX_ROUNDS} exchanges"
            return ()
        out: list[Probe] = []
        for apk in self.apks:
            apk.asked = {}
            if apk.done:
                continue
            for what, argv in self._next(apk):
                apk.asked[what] = (apk.key(what), argv)
                out.append(Probe(apk.key(what), argv))
        if out:
            self.rounds += 1
        return tuple(out)

    def _next(self, apk: _Apk) -> list[tuple[str, tuple[str, ...]]]:
        if self.rounds == 0:
            user = ("--user", str(apk.user_id)) if apk.user_id else ()
            first = [("path", ("pm", "path", *user, apk.package))]
            if apk.guess:
                first.append(("eocd", ("tail", "-c", str(sig.EOCD_SIZE), apk.guess)))
            return first
        assert apk.path is not None
        if apk.eocd is None or apk.eocd_of != apk.path:
            return [("eocd", ("tail", "-c", str(sig.EOCD_SIZE), apk.path))]
        cd = apk.eocd.cd_offset
        if apk.block is not None:
            return [("block", _dd(apk.path, cd - apk.block, cd))]
        if apk.cd is None and apk.entry is None:
            return [("window", _dd(apk.path, max(0, cd - WINDOW), cd))]
        if apk.entry is None:
            end = cd + apk.eocd.cd_size
            reads = [("cd", _dd(apk.path, cd, min(end, cd + CD_PIECE)))]
            if end - cd > CD_PIECE:
                reads.append(("cd-tail", _dd(apk.path, max(cd + CD_PIECE, end - CD_PIECE), end)))
            return reads
        e = apk.entry
        end = e.local_offset + sig.LOCAL_HEADER + 1024 + e.compressed
        return [("v1", _dd(apk.path, e.local_offset, end))]

    def feed(self, result: BatchResult) -> None:
        """Take what the last exchange printed; an APK whose read failed is given up."""
        for apk in self.apks:
            if apk.done or not apk.asked:
                continue
            got = {what: result.outputs.get(name) for what, (name, _) in apk.asked.items()}
            try:
                self._take(apk, got)
            except sig.SigningError as e:
                apk.failure = str(e)

    def _take(self, apk: _Apk, got: dict[str, Output | None]) -> None:
        missing = [w for w, o in got.items() if o is None]
        if missing:
            raise sig.SigningError("the phone did not answer the read of the APK")
        out = {w: o for w, o in got.items() if o is not None}
        if "path" in out:
            apk.path = _base_apk(out["path"])
        if "eocd" in out:
            of = apk.asked["eocd"][1][-1]
            data = unmangle(out["eocd"].raw, self.sdk)
            apk.read += len(data)
            if of == apk.path:  # a guess pm path contradicts is read again at pm's path
                if out["eocd"].exit_code not in (0, None):
                    raise sig.SigningError(f"tail could not read {apk.path}")
                apk.eocd, apk.eocd_of = sig.parse_eocd(data), of
        for what in ("window", "block"):
            if what not in out:
                continue
            assert apk.eocd is not None
            cd = apk.eocd.cd_offset
            start = max(0, cd - WINDOW) if what == "window" else cd - (apk.block or 0)
            window = self._dd_at(apk, out[what], start)[: cd - start]
            if len(window) != cd - start:
                raise sig.SigningError("the read before the central directory came back short")
            try:
                apk.signers = sig.signers_from_block(window)
            except sig.NoSigningBlock:
                apk.cd = b""
            except sig.BlockLarger as e:
                if what == "block" or e.size > MAX_BLOCK or e.size > cd:
                    raise
                apk.block = e.size
        if "cd" in out:
            assert apk.eocd is not None
            pieces = [self._dd_at(apk, out["cd"], apk.eocd.cd_offset)]
            if "cd-tail" in out:
                end = apk.eocd.cd_offset + apk.eocd.cd_size
                start = max(apk.eocd.cd_offset + CD_PIECE, end - CD_PIECE)
                pieces.append(self._dd_at(apk, out["cd-tail"], start))
            for piece in pieces:
                try:
                    apk.entry = sig.v1_entry(piece)
                    break
                except sig.SigningError:
                    continue
            if apk.entry is None:
                raise sig.SigningError(
                    "no signing block, and no v1 signature in the central directory"
                )
            if apk.entry.compressed > V1_ENTRY_MAX:
                raise sig.SigningError("the v1 signature entry is larger than the read allows")
        if "v1" in out:
            assert apk.entry is not None
            apk.signers = [
                sig.v1_signer(apk.entry, self._dd_at(apk, out["v1"], apk.entry.local_offset))
            ]

    def _dd(self, apk: _Apk, out: Output) -> bytes:
        data = dd_data(unmangle(out.raw, self.sdk))
        if data is None:
            raise sig.SigningError("dd did not confirm the bytes it read (short read, or no dd)")
        apk.read += len(data)
        return data

    def _dd_at(self, apk: _Apk, out: Output, offset: int) -> bytes:
        """The bytes of a ``_dd`` read from ``offset`` on (the read started at a block edge)."""
        return self._dd(apk, out)[offset - offset // BLOCK * BLOCK :]

    def evidence(self) -> tuple[SignerEvidence, ...]:
        return tuple(self._evidence(apk) for apk in self.apks)

    def _evidence(self, apk: _Apk) -> SignerEvidence:
        if apk.signers is None:
            reason = apk.failure or "not read"
            return SignerEvidence(
                apk.package, apk.path, Unseen(reason), apk.dumpsys_hashes, apk.read
            )
        try:
            current = sig.current_signer(apk.signers, self.sdk)
        except sig.SigningError as e:
            return SignerEvidence(
                apk.package, apk.path, Unseen(str(e)), apk.dumpsys_hashes, apk.read
            )
        digest = sig.sha256(current.certificate)
        others = tuple(
            dict.fromkeys(
                sig.sha256(s.certificate)
                for s in apk.signers
                if s.certificate != current.certificate
            )
        )
        cert = SigningCertificate(
            current.scheme,
            digest,
            tuple(sig.sha256(c) for c in current.lineage),
            others,
            sig.java_hash(current.certificate),
        )
        return SignerEvidence(apk.package, apk.path, cert, apk.dumpsys_hashes, apk.read)


def _base_apk(out: Output) -> str:
    if out.exit_code not in (0, None):
        raise sig.SigningError(f"pm path named no APK (exit {out.exit_code})")
    paths = [
        line.removeprefix("package:").strip()
        for line in out.text.splitlines()
        if line.startswith("package:")
    ]
    base = [p for p in paths if p.endswith("/base.apk")] or paths[:1]
    if not base:
        raise sig.SigningError("pm path named no APK")
    if not is_apk_path(base[0]):
        raise sig.SigningError(f"pm path named an APK path no phone has ({names.shown(base[0])})")
    return base[0]
