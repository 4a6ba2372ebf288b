"""The registry: one rule per checklist item, with its metadata; rules are pure."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from checks.errors import RegistryError
from checks.evaluate import evaluate
from checks.findings import BEYOND, Article, Outcome, Severity, Status
from checks.policy import DEFAULT
from checks.registry import CHECKS, INDEX, by_id
from checks.rule import Check, Context, check
from tests.checks.factories import TODAY, app, phone

RULES_DIR = Path(__file__).resolve().parents[2] / "checks" / "rules"
_ITEM = re.compile(r"^\|\s*((?:MSG|ORG|DEV)-\d\d)\s+([a-z][a-z-]+)\s*\|", re.MULTILINE)

SEVERITIES = {
    "MSG-01": Severity.MEDIUM,
    "MSG-02": Severity.HIGH,
    "MSG-03": Severity.HIGH,
    "MSG-04": Severity.MEDIUM,
    "MSG-05": Severity.HIGH,
    "MSG-06": Severity.MEDIUM,
    "MSG-07": Severity.MEDIUM,
    "MSG-08": Severity.CRITICAL,
    "MSG-09": Severity.HIGH,
    "MSG-10": Severity.LOW,
    "MSG-11": Severity.HIGH,
    "MSG-12": Severity.INFO,
    "ORG-01": Severity.MEDIUM,
    "ORG-02": Severity.MEDIUM,
    "ORG-03": Severity.MEDIUM,
    "DEV-01": Severity.MEDIUM,
    "DEV-02": Severity.MEDIUM,
    "DEV-03": Severity.HIGH,
}
"""The default severities checklist.md states in each item's status rules."""


def _raising(ctx: Context) -> Iterator[Outcome]:
    raise ValueError("boom")
    yield  # pragma: no cover


BROKEN = check(
    id="TST-01",
    slug="broken",
    title="A rule with a bug",
    severity=Severity.LOW,
    article=Article(BEYOND, "Test"),
    rationale="Shows how a crash is reported.",
    remediation=("Fix the rule.",),
)(_raising)


class TestRegistry:
    def test_ids_are_unique(self) -> None:
        """No two rules share an id."""
        assert len(CHECKS) == len(INDEX) == len({c.info.id for c in CHECKS})

    def test_duplicate_id_is_refused(self) -> None:
        """Registering a second rule under a used id raises, naming both."""
        with pytest.raises(RegistryError, match="MSG-01"):
            by_id([CHECKS[0], Check(CHECKS[0].info, _raising)])

    def test_every_checklist_item_has_its_rule(self, checklist: str) -> None:
        """Ids and names match checklist.md exactly, in its order."""
        expected = _ITEM.findall(checklist)

        assert 18 == len(expected)
        assert expected == [(c.info.id, c.info.slug) for c in CHECKS]

    def test_severities_follow_the_checklist(self) -> None:
        """Each rule's default severity is the checklist's."""
        assert SEVERITIES == {c.info.id: c.info.severity for c in CHECKS}

    @pytest.mark.parametrize("rule", CHECKS, ids=lambda c: c.info.id)
    def test_metadata_is_complete(self, rule: Check) -> None:
        """Title, article cue, rationale, remediation and a docstring on every rule; the
        function is named after the checklist slug."""
        info = rule.info
        assert all(
            [info.title, info.article.section, info.article.ref, info.rationale, info.remediation]
        )
        assert all(step.strip() for step in info.remediation)
        assert rule.run.__doc__
        assert info.slug.replace("-", "_") == rule.name

    @pytest.mark.parametrize("rule", CHECKS, ids=lambda c: c.info.id)
    def test_article_section_is_a_heading(self, rule: Check, article: str) -> None:
        """A rule cites a section heading of the article, or says it goes beyond it."""
        headings = {
            line.strip() for line in article.splitlines() if line.strip() and len(line) < 80
        }

        assert rule.info.article.beyond or rule.info.article.section in headings

    @pytest.mark.parametrize("rule", CHECKS, ids=lambda c: c.info.id)
    def test_article_is_paraphrased(self, rule: Check, article: str) -> None:
        """No cue or rationale copies four words in a row from the article."""
        words = re.findall(r"\w+", article.lower())
        shingles = {" ".join(words[i : i + 4]) for i in range(len(words) - 3)}
        for text in (rule.info.article.ref, rule.info.rationale):
            own = re.findall(r"\w+", text.lower())
            copied = {" ".join(own[i : i + 4]) for i in range(len(own) - 3)} & shingles
            assert set() == copied

    def test_crashing_rule_is_an_error_finding(self) -> None:
        """In a scan a rule that raises becomes one error finding and the rest still run."""
        findings = evaluate(
            phone(app("com.whatsapp")), DEFAULT, today=TODAY, checks=[BROKEN, CHECKS[0]]
        )

        assert {("TST-01", Status.ERROR), ("MSG-01", Status.FAIL)} == {
            (f.check_id, f.status) for f in findings
        }
        [broken] = [f for f in findings if f.check_id == "TST-01"]
        assert "rule failed: ValueError: boom" == broken.evidence[0].text

    def test_crashing_rule_raises_when_strict(self) -> None:
        """In tests (strict) the exception propagates."""
        with pytest.raises(ValueError, match="boom"):
            evaluate(phone(), DEFAULT, today=TODAY, checks=[BROKEN], strict=True)

    @pytest.mark.parametrize("module", sorted(RULES_DIR.glob("*.py")), ids=lambda p: p.name)
    def test_rules_are_pure(self, module: Path) -> None:
        """Rule modules import nothing that does I/O and read no clock."""
        tree = ast.parse(module.read_text(encoding="utf-8"))
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
        clocks = [
            n.attr
            for n in ast.walk(tree)
            if isinstance(n, ast.Attribute)
            and n.attr in {"now", "today", "utcnow", "time", "open"}
            and not (isinstance(n.value, ast.Name) and n.value.id == "ctx")
        ]
        assert set() == imported & {
            "scanner",
            "reports",
            "os",
            "pathlib",
            "io",
            "time",
            "subprocess",
            "socket",
            "logging",
            "structlog",
        }
        assert [] == clocks
