"""The simulated phone's tail -c, dd and pm path answer as toybox and the package manager do."""

from __future__ import annotations

from scanner.simphone.byteranges import dd, pm_path, tail
from scanner.simphone.files import VirtualFile, VirtualFiles

DATA = bytes(range(256)) * 4  # 1024 bytes
FILES = VirtualFiles(
    [
        VirtualFile("/data/app/~~a==/com.x-b==/base.apk", 0o644, len(DATA), 0, DATA),
        VirtualFile("/data/app/~~a==/com.x-b==/split_config.arm64_v8a.apk", 0o644, 3, 0, b"abc"),
        VirtualFile("/data/app/~~c==/com.y-d==/base.apk", 0o644, 10, 0, None),
    ]
)
APK = "/data/app/~~a==/com.x-b==/base.apk"


def report(full: int, part: int, n: int) -> str:
    return f"{full}+{part} records in\n{full}+{part} records out\n{n} bytes"


def test_tail_bytes() -> None:
    """The last N bytes; the whole file when N is larger; +N counts from byte N (1-based)."""
    assert (DATA[-22:], b"", 0) == tail(FILES, ("-c", "22", APK))
    assert (DATA, b"", 0) == tail(FILES, ("-c", "99999", APK))
    assert (DATA[9:], b"", 0) == tail(FILES, ("-c", "+10", APK))


def test_tail_errors_name_the_file() -> None:
    assert (b"", b"tail: /nope: No such file or directory\n", 1) == tail(FILES, ("-c", "22", "/nope"))
    assert b"Permission denied" in tail(FILES, ("-c", "22", "/data/app/~~c==/com.y-d==/base.apk"))[1]  # type: ignore[index]


def test_dd_full_short_and_past_the_end() -> None:
    out, err, code = dd(FILES, ("if=" + APK, "bs=512", "skip=1", "count=1"))  # type: ignore[misc]
    assert (DATA[512:1024], 0) == (out, code) and err.decode().startswith(report(1, 0, 512))
    out, err, _ = dd(FILES, ("if=" + APK, "bs=300", "skip=3", "count=2"))  # type: ignore[misc]
    assert DATA[900:] == out and err.decode().startswith(report(0, 1, 124))
    out, err, code = dd(FILES, ("if=" + APK, "bs=512", "skip=10", "count=4"))  # type: ignore[misc]
    assert (b"", 0) == (out, code) and err.decode().startswith(report(0, 0, 0))


def test_dd_missing_file_and_bad_number() -> None:
    assert (b"", b"dd: /nope: No such file or directory\n", 1) == dd(FILES, ("if=/nope", "bs=512"))
    assert 1 == dd(FILES, ("if=" + APK, "bs=x"))[2]  # type: ignore[index]


def test_pm_path_lists_base_first_and_fails_for_other_users() -> None:
    where = {("com.x", 0): "/data/app/~~a==/com.x-b=="}

    def code_path(package: str, user: int) -> str | None:
        return where.get((package, user))

    out, _, code = pm_path(FILES, ("path", "com.x"), code_path)  # type: ignore[misc]
    assert (0, [f"package:{APK}", "package:/data/app/~~a==/com.x-b==/split_config.arm64_v8a.apk"]) == (
        code, out.decode().splitlines()
    )
    assert (b"", b"", 1) == pm_path(FILES, ("path", "--user", "10", "com.x"), code_path)
    assert (b"", b"", 1) == pm_path(FILES, ("path", "com.unknown"), code_path)
