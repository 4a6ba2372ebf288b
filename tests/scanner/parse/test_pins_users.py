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
