"""A real round with a progress bar, and its fleet summary rendered as the fleet page."""

from __future__ import annotations

import io
import json
from pathlib import Path

from reports.i18n import Lang
from reports.render.fleet_html import render_fleet
from scanner.app.agent.service import Agent
from scanner.app.show import RoundProgress
from scanner.simphone import PhoneServer
from scanner.simphone.phone import phone_server
from tests.scanner.app.agent.test_agent import A14, A16, phones, signer, start, write_config  # noqa: F401


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_round_progress_and_fleet_page(tmp_path: Path, phones: list[PhoneServer], signer) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Each phone of the round advances the bar once; the summary renders worst phone first."""
    servers = [start(phones, phone_server(A16, index=0)), start(phones, phone_server(A14, index=1))]
    agent = Agent(write_config(tmp_path, [s.address for s in servers]), signer=signer)
    stream = _Tty()
    progress = RoundProgress(stream, "Scanning phones")
    try:
        agent.scan_round(watch=progress.watch)
    finally:
        progress.close()
        agent.close()
    summary = json.loads((tmp_path / "state" / "reports" / "fleet-summary.json").read_text())
    page = render_fleet(summary, Lang.EN).decode()
    artifacts = Path(__file__).resolve().parents[4] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "fleet-round-en.html").write_text(page)  # for a person to look at

    assert "2/2" in stream.getvalue()
    assert 2 == len(summary["devices"])
    worst = summary["devices"][0]["device"]
    assert page.index(worst) < page.index(summary["devices"][1]["device"])
    assert "NOT COMPLIANT" in page or "not compliant" in page
