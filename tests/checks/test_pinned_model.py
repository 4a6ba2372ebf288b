"""The facts model, catalog, evaluation and policy file: behaviours mutation testing
(``python -m bench.mutation checks``) found unpinned; each test fails for a mutant that
survived the other tests. (The rules' own pins are in ``test_pinned_mutants.py``.)"""

from __future__ import annotations

import pytest
from msgspec.structs import replace

from checks.facts import AppOps, OpMode
from checks.findings import Status
from checks.rules.profiles import isolation
from tests.checks.factories import REFUSED, E, F, P, U, app, findings, phone

WA = "com.whatsapp"


class TestCatalogAsTheReferenceSaysIt:
    """The catalog's data, as shared/reference/messengers.md §1-7 gives it: which builds are the
    vendors' own betas, forks or mods, and where each messenger's data lies."""

    def test_builds(self) -> None:
        from checks.catalog import VARIANTS

        by_build: dict[str, set[str]] = {}
        for package, (_, variant) in VARIANTS.items():
            by_build.setdefault(variant.build.value, set()).add(package)

        assert {
            "beta": {"org.telegram.messenger.beta", "ch.threema.app.green", "ch.threema.app.red",
                     "ch.threema.app.sandbox.work", "com.wire.internal",
                     "com.wire.android.internal", "com.waz.zclient.dev"},
            "fork": {"im.molly.app"},
        } == {k: v for k, v in by_build.items() if k in ("beta", "fork")}
        assert {"com.gbwhatsapp", "com.yowhatsapp", "com.fmwhatsapp", "com.whatsapp.plus"} <= (
            by_build["mod"])
        assert {"com.whatsapp", "com.whatsapp.w4b", "org.telegram.messenger",
                "org.telegram.messenger.web", "org.thunderdog.challegram",
                "org.thoughtcrime.securesms", "ch.threema.app", "ch.threema.app.libre",
                "com.wire"} <= by_build["official"]

    def test_locations(self) -> None:
        from checks.catalog import VARIANTS, Archives

        def where(package: str) -> list[tuple[str, str, int | None]]:
            return [(loc.id, loc.kind.value, loc.depth) for loc in VARIANTS[package][1].locations]

        whatsapp = where("com.whatsapp")
        assert ("scoped.voice_notes", "media", 2) in whatsapp  # one subfolder per week
        assert ("legacy.animated_gifs", "media", 1) in whatsapp
        assert [("backup.zips", "archive", None), ("legacy.pictures", "media", 1),
                ("legacy.videos", "media", 1), ("gallery.pictures", "media", 1),
                ("gallery.movies", "media", 1)] == where("ch.threema.app")
        wire = VARIANTS["com.wire"][0]
        assert ([], Archives.UNLOCATABLE) == (where("com.wire"), wire.archives)


class TestEvaluate:
    """checks.evaluate: waivers, remediation per messenger, the worst-first order."""

    @staticmethod
    def waived(waiver_device: str, until_days: int, package: str | None = None,
               device: str | None = None) -> bool:
        from datetime import timedelta

        from checks.evaluate import evaluate
        from checks.findings import Waiver
        from checks.policy import DEFAULT
        from tests.checks.factories import TODAY

        waiver = Waiver(isolation.info.id, waiver_device, TODAY + timedelta(days=until_days),
                        "migration under way", package)
        [finding] = evaluate(phone(app(WA)), replace(DEFAULT, waivers=(waiver,)), today=TODAY,
                             checks=[isolation], device=device, strict=True)
        assert F == finding.status
        return finding.waived is not None

    @pytest.mark.parametrize(
        ("waiver_device", "until_days", "package", "device", "expected"),
        [
            ("*", 0, None, None, True),  # the last day still counts
            ("*", -1, None, None, False),
            ("*", 30, WA, None, True),
            ("*", 30, "com.whatsapp.w4b", None, False),
            ("TESTPHONE", 30, None, None, True),  # the snapshot's serial
            ("OTHERPHONE", 30, None, None, False),
            ("pseudo-1", 30, None, "pseudo-1", True),  # the name the report uses
        ],
    )
    def test_waivers(self, waiver_device: str, until_days: int, package: str | None,
                     device: str | None, expected: bool) -> None:
        assert expected == self.waived(waiver_device, until_days, package, device)

    @pytest.mark.parametrize(
        ("package", "kept"),
        [
            ("org.telegram.messenger", ["Telegram: turn off saving to gallery", "Ask IT."]),
            ("com.whatsapp.w4b", ["WhatsApp: Settings > Chats > Media visibility off", "Ask IT."]),
            ("com.whatsapp", ["WhatsApp: Settings > Chats > Media visibility off", "Ask IT."]),
            ("com.example.notes", None),  # not a messenger: every step
            (None, None),
        ],
    )
    def test_remediation_per_messenger(self, package: str | None, kept: list[str] | None) -> None:
        from checks.evaluate import remediation_for

        steps = ("Telegram: turn off saving to gallery",
                 "WhatsApp: Settings > Chats > Media visibility off", "Ask IT.")

        assert (kept or list(steps)) == list(remediation_for(steps, package))

    def test_remediation_without_own_steps_keeps_all(self) -> None:
        """A messenger none of whose steps are named keeps every step rather than none."""
        from checks.evaluate import remediation_for

        steps = ("Telegram: a", "WhatsApp: b")

        assert steps == remediation_for(steps, "org.thoughtcrime.securesms")

    def test_worst_first(self) -> None:
        from checks.evaluate import worst_first
        from checks.findings import Status

        order = [Status.NOT_APPLICABLE, Status.PASS, Status.MANUAL, Status.UNKNOWN, Status.ERROR,
                 Status.FAIL]
        [one] = findings(isolation, phone(app(WA)))
        found = [replace(one, status=s) for s in order]

        assert order[::-1] == [f.status for f in worst_first(found)]


def test_every_deliberate_error_exits_2() -> None:
    """Bad input exits 2, never 1 (which means "a check failed"): every MsgscanError kind."""
    import checks.errors as errors

    kinds = [c for c in vars(errors).values()
             if isinstance(c, type) and issubclass(c, errors.MsgscanError)]

    assert len(kinds) > 5 and {2} == {k.exit_code for k in kinds}


class TestSummary:
    """checks.evaluate.summarize: the score counts pass, fail, unknown and error by weight;
    not applicable, manual and waived failures are left out."""

    @staticmethod
    def of(*rows: tuple[Status, str, bool]):  # type: ignore[no-untyped-def]
        from datetime import date

        from checks.evaluate import summarize
        from checks.findings import Severity, Waiver

        [base] = findings(isolation, phone(app(WA)))
        waiver = Waiver(base.check_id, "*", date(2030, 1, 1), "accepted")
        return summarize([replace(base, status=s, severity=Severity(sev),
                                  waived=waiver if waived else None) for s, sev, waived in rows])

    def test_score(self) -> None:
        s = self.of((P, "high", False), (F, "medium", False), (U, "low", False),
                    (E, "low", False), (Status.NOT_APPLICABLE, "critical", False),
                    (Status.MANUAL, "critical", False), (F, "critical", True))

        # earned 6 (high pass) of 6 + 3 + 1 + 1: the waived critical fail is left out
        assert (54.5, "non_compliant", 1, 1) == (s.score, s.verdict, s.failed, s.waived)

    def test_only_waived_failures(self) -> None:
        s = self.of((P, "high", False), (F, "critical", True))

        assert (100.0, "compliant", 0, 1) == (s.score, s.verdict, s.failed, s.waived)

    @pytest.mark.parametrize("status", [U, E])
    def test_unseen_is_incomplete(self, status: Status) -> None:
        s = self.of((P, "high", False), (status, "low", False))

        assert (85.7, "incomplete") == (s.score, s.verdict)

    def test_nothing_scored(self) -> None:
        s = self.of((Status.NOT_APPLICABLE, "high", False), (Status.MANUAL, "high", False))

        assert (None, "compliant") == (s.score, s.verdict)


def test_uid_mode_in_a_secondary_user() -> None:
    """A uid-level mode applies by uid = user * 100000 + app id (UserHandle.getUid)."""
    ops = AppOps({(10, WA): {"MANAGE_EXTERNAL_STORAGE": OpMode.IGNORE}},
                 {1010233: {"MANAGE_EXTERNAL_STORAGE": OpMode.ALLOW}})

    assert (OpMode.ALLOW, OpMode.IGNORE, OpMode.IGNORE) == (
        ops.mode(10, WA, "MANAGE_EXTERNAL_STORAGE", app_id=10233),
        ops.mode(10, WA, "MANAGE_EXTERNAL_STORAGE", app_id=10234),
        ops.mode(10, WA, "MANAGE_EXTERNAL_STORAGE"),
    )


def test_snapshot_package_lookup() -> None:
    snap = phone(app(WA), app("org.telegram.messenger"))

    assert ("org.telegram.messenger", None, None) == (
        snap.package("org.telegram.messenger").name,  # type: ignore[union-attr]
        snap.package("com.example.none"),
        phone(packages=REFUSED).package(WA),
    )


class TestPolicyFileHints:
    """A bad policy file names the problem and says what to write, in the key's own words."""

    @staticmethod
    def error(data: bytes):  # type: ignore[no-untyped-def]
        from checks.errors import PolicyError
        from checks.policy_file import parse_policy
        from checks.registry import INDEX

        with pytest.raises(PolicyError) as caught:
            parse_policy(data, "policy.toml", known_checks=set(INDEX))
        return caught.value

    def test_override_without_reason(self) -> None:
        e = self.error(b"[rules.MSG-12]\ndisabled = true\n")

        assert (True, 'write reason = "..." (every report shows it)') == (
            e.problem.endswith("rules.MSG-12.reason: missing: a changed rule needs a reason"),
            e.hint)

    def test_empty_reason(self) -> None:
        e = self.error(b'[rules.MSG-12]\ndisabled = true\nreason = " "\n')

        assert 'write reason = "..."' == e.hint

