"""``bmgr``: no capture exists, so the examples follow AOSP cmds/bmgr/.../Bmgr.java
(``doEnabled``/``enableToString``, ``doListTransports``, ``isBackupActive``)."""

from __future__ import annotations

import pytest

from checks.facts import BackupState
from scanner.parse.backup import backup_state, parse_bmgr_enabled, parse_bmgr_list_transports
from tests.scanner.parse.garbage import garbage

GMS = "com.google.android.gms/.backup.BackupTransportService"
LOCAL = "com.android.localtransport/.LocalTransport"
D2D = "com.google.android.gms/.backup.migrate.service.D2dTransport"
TRANSPORTS = f"    {LOCAL}\n  * {GMS}\n    {D2D}\n"


class TestParseBmgrEnabled:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Backup Manager currently enabled\n", True),
            ("Backup Manager currently disabled\n", False),
            ("Backup Manager currently enabled\r\n", True),
            ("Error: Backup Manager is not activated for user 0\n", None),
            ("Error: Could not access the Backup Manager.  Is the system running?\n", None),
            ("Backup Manager currently activated\n", None),
            ("", None),
        ],
    )
    def test_states(self, text: str, expected: bool | None) -> None:
        """Enabled and disabled are read; errors and other output are None."""
        assert expected == parse_bmgr_enabled(text)


class TestParseBmgrListTransports:
    def test_selected_and_all(self) -> None:
        """The ``  * `` line is the selected transport; all are listed in order."""
        assert (GMS, (LOCAL, GMS, D2D)) == parse_bmgr_list_transports(TRANSPORTS)

    def test_none_selected(self) -> None:
        """Without a ``*`` line no transport is selected."""
        assert (None, (LOCAL,)) == parse_bmgr_list_transports(f"    {LOCAL}\n")

    @pytest.mark.parametrize(
        "text",
        [
            "No transports available.\n",
            "Error: Backup Manager is not activated for user 10\n",
            "",
        ],
    )
    def test_no_transports(self, text: str) -> None:
        """No transports, an inactive backup service or nothing give an empty list."""
        assert (None, ()) == parse_bmgr_list_transports(text)

    @pytest.mark.parametrize("text", garbage())
    def test_never_raises(self, text: str) -> None:
        """Garbage gives a BackupState, never an exception."""
        assert isinstance(backup_state(text, text), BackupState)


class TestBackupState:
    def test_combined(self) -> None:
        """Both outputs combine into one BackupState."""
        expected = BackupState(enabled=True, transport=GMS, transports=(LOCAL, GMS, D2D))

        assert expected == backup_state("Backup Manager currently enabled\n", TRANSPORTS)

    def test_transports_missing(self) -> None:
        """An unread transport list leaves the transport unknown."""
        assert BackupState(False, None, ()) == backup_state(
            "Backup Manager currently disabled\n", ""
        )


class TestPerUser:
    def test_not_activated_is_off(self) -> None:
        """Bmgr.isBackupActive's refusal: that user's backup service is not running."""
        text = "Error: Backup Manager is not activated for user 10\n"
        assert BackupState(False, None, activated=False) == backup_state(text, text)

    def test_per_user_answers_read_like_the_system_users(self) -> None:
        """``bmgr --user N enabled`` prints the same line as ``bmgr enabled`` (doEnabled)."""
        assert BackupState(True, GMS, (LOCAL, GMS, D2D)) == backup_state(
            "Backup Manager currently enabled\n", TRANSPORTS
        )

    def test_old_bmgr_without_user_option_is_unknown(self) -> None:
        """Android 9 and older treat ``--user`` as an unknown command: neither on nor off."""
        usage = "Unknown command\nusage: bmgr [backup|restore|list|transport|run]\n"
        assert BackupState(None, None) == backup_state(usage, usage)
