"""Pins for mutants of ``scanner/parse/users.py`` that its own tests let live.

A shell command that throws prints ``Exception occurred while executing 'list':`` and the
stack trace (AOSP ``BasicShellCommandHandler``): ``pm list users`` then printed an error, like
Pm.java's ``Error: couldn't get users``, not a list without user lines.
"""

from __future__ import annotations

from scanner.parse.users import describe_failure, parse_pm_list_users

THROWN = (
    "Exception occurred while executing 'list':\n"
    "java.lang.IllegalStateException: User manager not ready\n"
    "\tat com.android.server.pm.UserManagerService.getUsers(UserManagerService.java:1042)\n"
)


def test_an_exception_is_an_error() -> None:
    assert parse_pm_list_users(THROWN) == ()
    error = describe_failure("Error: couldn't get users\n")
    assert describe_failure(THROWN) == error
    assert error != describe_failure("Users:\n")


# ``cmd user list -v`` (Android 11+): UserManagerServiceShellCommand.runList, verbose branch:
# ``"%d users:\n\n"``, then one line per user, each ending in a newline.
VERBOSE_SCRUBBED = (
    "3 users:\n\n"
    "0: id=0, name=user, type=full.SYSTEM, flags=ADMIN|FULL|INITIALIZED|MAIN|PRIMARY|SYSTEM"
    " (running) (current) (visible)\n"
    "1: id=10, name=user, type=profile.MANAGED, flags=INITIALIZED|MANAGED_PROFILE|PROFILE"
    " (parentId=0) (running) (profile-owner) (visible)\n"
    "2: id=11, name=user, type=profile.CLONE, flags=INITIALIZED|PROFILE (parentId=0) (running)\n"
)


def test_a_scrubbed_verbose_list_is_scrubbed_again_unchanged() -> None:
    """A recording's ``cmd user list -v`` (names already the placeholder) is kept byte for byte
    when scrubbed again: same lines, one newline after the last, nothing added."""
    from scanner.parse.users import NAME_PLACEHOLDER, scrub_user_list_verbose

    assert NAME_PLACEHOLDER == "user"
    assert scrub_user_list_verbose(VERBOSE_SCRUBBED) == VERBOSE_SCRUBBED
    assert scrub_user_list_verbose(VERBOSE_SCRUBBED.replace("\n", "\r\n")) == VERBOSE_SCRUBBED
    assert scrub_user_list_verbose("3 users:\n") == "3 users:\n"
