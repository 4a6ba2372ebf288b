"""A ``pm list`` the phone answered that cannot be read is damage, never a skipped check; a
package named with "Exception" in it is a package line, not pm's error (review of session 22:
such a name switched the cross-check off, and a forged messenger block would then be judged)."""

from scanner.parse.package_list import parse_pm_list_packages


def test_a_package_named_exception_is_read_as_a_package() -> None:
    listed = parse_pm_list_packages(
        "package:com.Exception.x  installer=com.android.vending uid:10123\npackage:com.whatsapp\n"
    )
    assert listed.unusable is None and set(listed.packages) == {"com.Exception.x", "com.whatsapp"}
    installer = parse_pm_list_packages("package:a.b  installer=org.Exception.store\n")
    assert (
        installer.unusable is None and installer.packages["a.b"].installer == "org.Exception.store"
    )


def test_pm_errors_are_refusals_and_unreadable_lists_are_garbled() -> None:
    for refusal in (
        "Error: Unknown option: -U\n",
        "java.lang.SecurityException: denied\n",
    ):
        listed = parse_pm_list_packages(refusal)
        assert listed.unusable is not None and not listed.garbled
    for garbled in (
        "package:com.whatsapp\ncom.evil\n",
        "package:a.b\npackage:a.b\n",
        "package:.bad\n",
        "package:a.b\npackage:com.whats",
        "package:a.b Exception\n",
    ):
        listed = parse_pm_list_packages(garbled)
        assert listed.unusable is not None and listed.garbled, garbled


def test_an_answered_list_that_cannot_be_read_is_damage_in_a_scan() -> None:
    """Not a skipped check: the messenger checks become unknown and the scan is incomplete."""
    from checks.evaluate import evaluate
    from checks.findings import Status
    from checks.policy import Policy
    from scanner.collect import collect
    from scanner.recording import Command, load
    from scanner.replay import ReplayTransport
    from tests.faults.test_damaged_output import TODAY
    from tests.scanner.test_package_check import A16, _lists

    def garble(c: Command) -> Command:
        return Command(c.argv, c.stdout + b"not a package line\n", c.stderr, 0, c.device_ms)

    snap = collect(ReplayTransport(_lists(load(A16), garble)))
    assert not snap.complete
    assert "could not be checked against pm list packages" in snap.damaged["packages"]
    assert "is not a package line" in snap.damaged["packages"]
    clean = collect(ReplayTransport(load(A16)))
    passed = {f.check_id for f in evaluate(clean, Policy(), today=TODAY) if f.status is Status.PASS}
    now = {f.check_id: f.status for f in evaluate(snap, Policy(), today=TODAY)}
    assert passed and not any(now.get(c) is Status.PASS for c in passed if c.startswith("MSG-0"))
