"""What a replay does not load since session 27 (issue 18 item 1: bench/RESULTS.md, "Start-up",
"Session 27 (start12)"), and what still loads it."""

from __future__ import annotations

from pathlib import Path

from tests.scanner.app.cli.test_replay_imports import loaded
from tests.scanner.app.cli.test_startup import A16, run_main


def test_a_json_replay_seals_without_loading_the_checking_side(tmp_path: Path) -> None:
    """The JSON report is sealed by ``reports.seal``; ``reports.integrity`` (``verify``, its
    ``Outcome`` enum, its Structs) loads where a seal is checked (``msgscan verify``)."""
    json_replay = run_main("scan", "--replay", str(A16), "--format", "json")
    assert loaded(json_replay, "reports.integrity", "reports.seal") == ["reports.seal"]
    report = tmp_path / "r.json"
    loaded(run_main("scan", "--replay", str(A16), "-o", str(report)))
    assert loaded(run_main("verify", str(report)), "reports.integrity") == ["reports.integrity"]


def test_a_json_replay_writes_no_date_in_words_and_leaves_babel_s_formats_unloaded() -> None:
    """``reports.i18n.formats`` loads at the first date or number a report writes in words:
    the text report's, a German one's; an English JSON report writes none."""
    json_replay = run_main("scan", "--replay", str(A16), "--format", "json")
    assert loaded(json_replay, "reports.i18n.formats") == []
    text_replay = run_main("scan", "--replay", str(A16))
    assert loaded(text_replay, "reports.i18n.formats") == ["reports.i18n.formats"]


def test_the_integrity_module_s_seal_names_are_the_seal_module_s() -> None:
    import reports.integrity
    import reports.seal

    for name in (
        "CANONICAL",
        "HTML_MARK",
        "MEMBER",
        "canonical",
        "canonical_text",
        "digest",
        "normalized",
        "seal_covered",
        "seal_html",
        "seal_json",
    ):
        assert getattr(reports.integrity, name) is getattr(reports.seal, name)
        assert name in reports.integrity.__all__
