"""``msgscan agent --demo``: the fleet agent's whole job in one command, without a phone.

Starts one simulated phone per bundled recording (an Android 16 phone used privately and for
work, an Android 14 work-profile phone, an old Android 10 phone: the three shipped recordings,
each served over the real ADB/TCP path in this process), writes an agent config for them into
a new temporary folder, runs one round with the state there, renders the fleet page and each
phone's report as HTML beside the JSON reports, and prints where everything is. The folder is
kept for the user to open; nothing outside it is touched (a throw-away ADB key, not
``~/.android``). Exit codes as ``agent --once``: 1 when a phone had a failed check.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from reports.i18n import Lang

if TYPE_CHECKING:
    from scanner.simphone.adbd import PhoneServer

FLEET_PAGE = "fleet.html"


@dataclass(frozen=True, slots=True)
class DemoRun:
    folder: Path
    fleet_page: Path
    reports: tuple[Path, ...]
    """Each phone's HTML report (its JSON report lies beside it)."""
    failed_phones: int


def _config(folder: Path, endpoints: list[str]) -> Path:
    path = folder / "agent.toml"
    path.write_text("\n".join([
        "# written by `msgscan agent --demo`: one round over the simulated phones below",
        "[agent]", 'state_dir = "state"',
        "[schedule]", 'every = "1h"',
        "[scan]", 'timeout = "60s"', 'connect_timeout = "5s"', 'auth_timeout = "5s"',
        "[usb]", "enabled = false",
        "[adb_server]", "use = false",
        "[tcp]", "endpoints = [" + ", ".join(f'"{e}"' for e in endpoints) + "]",
    ]) + "\n", encoding="utf-8")
    return path


def run_demo(lang: Lang, out: TextIO | None = None, folder: Path | None = None) -> DemoRun:
    from reports.render.fleet_html import render_fleet
    from reports.render.html import HtmlRenderer
    from scanner import recording
    from scanner.app.agent.service import SUMMARY_FILE, Agent
    from scanner.files import write_atomic
    from scanner.recordings.build import HERE, SHIPPED
    from scanner.simphone.phone import phone_server
    from scanner.transport.keys import load_or_create_signer

    out = out or sys.stdout
    folder = folder or Path(tempfile.mkdtemp(prefix="msgscan-agent-demo-"))
    servers: list[PhoneServer] = []
    try:
        for name in SHIPPED:
            rec = recording.load(HERE / name)
            servers.append(phone_server(rec).start())
            print(f"demo: simulated phone {name.removesuffix('.json')} at {servers[-1].address}",
                  file=out)
        config = _config(folder, [s.address for s in servers])
        agent = Agent(config, signer=load_or_create_signer(folder / "adbkey"))
        reports_dir = agent.config.agent.reports_dir
        try:
            report = agent.scan_round()
        finally:
            agent.close()
    finally:
        for s in servers:
            s.stop()
    summary = json.loads((reports_dir / SUMMARY_FILE).read_text(encoding="utf-8"))
    fleet_page = reports_dir / FLEET_PAGE
    write_atomic(fleet_page, render_fleet(summary, lang))
    pages = []
    for saved in sorted(reports_dir.glob("*.json")):
        if saved.name == SUMMARY_FILE:
            continue
        page = saved.with_suffix(".html")
        write_atomic(page, HtmlRenderer(lang).render_report(json.loads(saved.read_text("utf-8"))))
        pages.append(page)
    print(f"demo: one round over {len(servers)} phones, {report.failed_phones} with a failed check",
          file=out)
    print(f"demo: fleet page      {fleet_page}", file=out)
    for page in pages:
        print(f"demo: phone report    {page}", file=out)
    print(f"demo: state and config in {folder} (delete it when done)", file=out)
    return DemoRun(folder, fleet_page, tuple(pages), report.failed_phones)


__all__ = ["FLEET_PAGE", "DemoRun", "run_demo"]
