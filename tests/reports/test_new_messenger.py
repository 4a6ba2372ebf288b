"""Adding a messenger is one catalog entry (CONTRIBUTING.md): a test-only entry, added to
``checks.catalog.MESSENGERS`` before anything else reads the catalog, flows through every rule
and every renderer in both languages without any other edit.

Runs in a fresh interpreter: the catalog is read once, at import, by every module that uses it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json
from datetime import UTC, date, datetime

import checks.catalog as catalog
from checks.catalog import ANY_MEDIA, Build, Location, Messenger, Profile, Variant
from checks.facts import EvidenceKind
from checks.findings import say

ENTRY = Messenger(
    "examplechat",
    "ExampleChat",
    (
        Variant(
            "org.example.chat",
            "ExampleChat",
            Build.OFFICIAL,
            (
                Location("backups", EvidenceKind.ARCHIVE, "ExampleChat/Backups", pattern="*.ecb"),
                Location("media", EvidenceKind.MEDIA, "Android/media/{pkg}/Media", depth=2,
                         holds=ANY_MEDIA),
            ),
        ),
    ),
    profile=Profile(
        say("catalog.examplechat.operator", "Example Ltd"),
        say("catalog.examplechat.seat", "EU"),
        say("catalog.examplechat.e2e_default", "yes"),
        say("catalog.examplechat.registration", "phone number"),
        say("catalog.examplechat.source", "open source"),
    ),
    backup_agent=say("catalog.backup.token_file",
                     "its backup agent saves only a token file, no chats"),
)
catalog.MESSENGERS = (*catalog.MESSENGERS, ENTRY)
catalog.VARIANTS = catalog.variants()

from checks.evaluate import evaluate  # noqa: E402  (after the entry, as a real entry would be)
from checks.facts import FolderSummary  # noqa: E402
from checks.policy import DEFAULT  # noqa: E402
from checks.result import ScanResult  # noqa: E402
from reports.i18n import Lang, Texts  # noqa: E402
from reports.render.cef import CefRenderer  # noqa: E402
from reports.render.csv import CsvRenderer  # noqa: E402
from reports.render.ecs import EcsRenderer  # noqa: E402
from reports.render.html import HtmlRenderer  # noqa: E402
from reports.render.json import JsonRenderer  # noqa: E402
from reports.render.ocsf import OcsfRenderer  # noqa: E402
from reports.render.text import TextRenderer  # noqa: E402
from reports.report import build_report, validate  # noqa: E402
from tests.checks.factories import app, every, phone  # noqa: E402

full = FolderSummary(exists=True, files=3, total_bytes=3 * 1024 * 1024,
                     newest=datetime(2026, 11, 20, 12, tzinfo=UTC), nomedia=False)
snapshot = phone(
    app("org.example.chat", grants={"android.permission.READ_CONTACTS": True}),
    app("com.example.files", app_id=10400,
        grants={"android.permission.READ_EXTERNAL_STORAGE": True}, target_sdk=28),
    storage=every("org.example.chat", full),
)
findings = evaluate(snapshot, DEFAULT, today=date(2026, 11, 21), device="TESTPHONE", strict=True)
result = ScanResult("00000000-0000-4000-8000-000000000000",
                    datetime(2026, 11, 21, 9, tzinfo=UTC), datetime(2026, 11, 21, 9, 1, tzinfo=UTC),
                    "0.1.0", DEFAULT, snapshot, findings, "TESTPHONE")
report = build_report(result)
validate(report)
out = {
    "statuses": sorted({(f.check_id, f.status.value) for f in findings
                        if f.package == "org.example.chat" or f.check_id == "MSG-05"}),
    "messengers": [m["name"] for m in report["messengers"]],
    "german_evidence": [Texts(Lang.DE).evidence(e) for f in report["findings"]
                        if f["package"] == "org.example.chat" for e in f["evidence"]],
    "renders": {},
}
for name, renderer in {
    "text-en": TextRenderer(), "text-de": TextRenderer(Lang.DE), "html-en": HtmlRenderer(),
    "html-de": HtmlRenderer(Lang.DE), "json": JsonRenderer(), "ocsf": OcsfRenderer(),
    "ecs": EcsRenderer(), "cef": CefRenderer(), "csv": CsvRenderer(),
}.items():
    body = renderer.render(result).decode("utf-8")
    out["renders"][name] = {"ExampleChat": "ExampleChat" in body,
                            "org.example.chat": "org.example.chat" in body}
print(json.dumps(out))
"""


def test_a_new_catalog_entry_flows_through_every_rule_and_renderer() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    statuses = {tuple(s) for s in out["statuses"]}
    assert {
        ("MSG-03", "fail"),  # chat backups in its catalog folder
        ("MSG-04", "fail"),  # media without .nomedia
        ("MSG-05", "fail"),  # the file manager with legacy storage reads them
        ("MSG-06", "manual"),  # contacts granted: a person attests the phonebook
        ("MSG-08", "unknown"),  # official build, signer not read (no APK in a snapshot)
        ("MSG-09", "not_applicable"),  # no advisories in its entry
        ("MSG-10", "pass"),  # installed by Google Play
        ("MSG-11", "pass"),  # the default policy forbids nothing
        ("MSG-12", "informational"),  # its backup agent: the catalog's message
    } <= statuses
    assert "ExampleChat" in out["messengers"]
    assert any("ExampleChat" in line and "Token-Datei" in line for line in out["german_evidence"])
    assert any(
        "Chat-Sicherungsdateien" in line and "3,0 MiB" in line for line in out["german_evidence"]
    )
    # every renderer names the package; all but CEF (its fixed fields) the messenger too
    assert {
        name: seen for name, seen in out["renders"].items() if not seen["org.example.chat"]
    } == {}
    assert [name for name, seen in out["renders"].items() if not seen["ExampleChat"]] == ["cef"]
