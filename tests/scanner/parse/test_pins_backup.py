"""Pins for mutants of ``scanner/parse/backup.py`` that its own tests let live.

The batch merges a command's stderr into its output, so ``bmgr enabled``'s one line
(``Bmgr.doEnabled``: "Backup Manager currently enabled|disabled") can follow another line,
e.g. the dynamic linker's warnings that Android 5/6 builds print on stderr for every command.
"""

from __future__ import annotations

import pytest

from scanner.parse.backup import backup_state, parse_bmgr_enabled

LINKER = "WARNING: linker: /system/lib/libhwui.so: unused DT entry: type 0x6ffffffe arg 0x1234"


@pytest.mark.parametrize(("state", "enabled"), [("enabled", True), ("disabled", False)])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_the_state_line_after_another_line(state: str, enabled: bool, newline: str) -> None:
    text = f"{LINKER}{newline}Backup Manager currently {state}{newline}"
    assert parse_bmgr_enabled(text) is enabled
    assert (
        backup_state(text, "  * com.google.android.gms/.backup.BackupTransportService\n").enabled
        is enabled
    )
