"""Start-up (issue 18 item 1): what ``import scanner.app.cli`` and each command load. Times are
measured in bench/startup.py (bench/RESULTS.md, "Start-up"); here the modules behind them are
pinned: each check runs a fresh interpreter and reads its ``sys.modules``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from importlib.metadata import version
from pathlib import Path

import pytest

import scanner

ROOT = Path(__file__).resolve().parents[4]
A16 = ROOT / "scanner" / "recordings" / "android16-personal-whatsapp-telegram.json"
HEAVY = (
    "jsonschema",
    "rich",
    "pygments",
    "importlib.metadata",
    "reports.render.html",
    "reports.render.json",
    "reports.render.terminal",
    "scanner.recordings.build",
    "scanner.app.agent",
    "scanner.simphone",
    "cryptography",
    "structlog",
)
"""Modules the entry point and the parser must not load (each costs start-up time)."""


def loaded(code: str, *names: str) -> list[str]:
    """Which of ``names`` a fresh interpreter has loaded after running ``code``."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps([n for n in {list(names)!r} if n in sys.modules]))"
    )
    env = {k: v for k, v in os.environ.items() if k != "MSGSCAN_SIGNING_KEY"}
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    found: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


def run_main(*argv: str) -> str:
    """Code that runs ``msgscan ARGV`` in-process with stdout thrown away (exit code kept)."""
    return (
        "import io, sys\nfrom scanner.app.cli import main\n"
        "sys.stdout = io.TextIOWrapper(io.BytesIO())\n"
        f"code = main({list(argv)!r})\nsys.stdout = sys.__stdout__\n"
    )


def test_version_is_the_distribution_s() -> None:
    """The version constant (no importlib.metadata at start-up) is what pyproject.toml says."""
    assert version("msgscan") == scanner.__version__


def test_the_entry_point_loads_nothing_heavy() -> None:
    """``import scanner.app.cli`` loads no renderer, schema, rich, structlog or command module."""
    assert [] == loaded(
        "import scanner.app.cli",
        *HEAVY,
        "scanner.app.cli.definition",
        "scanner.app.cli.scan",
        "scanner.app.cli.report",
    )


def test_the_entry_point_is_the_dispatch_alone() -> None:
    """Of msgscan's own modules, ``import scanner.app.cli`` loads the dispatch (``core``, its
    exit codes, habits and epilogs), the error classes and the exit codes' enum base
    (``checks.enums``, session 27): no command module, no parser."""
    code = (
        "import json, sys, scanner.app.cli\nprint(json.dumps(sorted(m for m in sys.modules\n"
        "    if m.split('.')[0] in ('scanner', 'checks', 'reports'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert [
        "checks",
        "checks.enums",
        "checks.errors",
        "scanner",
        "scanner.app",
        "scanner.app.cli",
        "scanner.app.cli.core",
        "scanner.app.cli.epilogs",
        "scanner.app.cli.exits",
        "scanner.app.cli.habits",
    ] == json.loads(out.stdout)


def test_the_parser_loads_nothing_heavy() -> None:
    """Building the parser (every command's --help) loads none of the heavy modules either."""
    assert [] == loaded("from scanner.app.cli import build_parser\nbuild_parser()", *HEAVY)


def test_help_loads_nothing_heavy() -> None:
    """``msgscan scan --help`` exits from the parser without loading a command."""
    code = (
        "import contextlib, io\nfrom scanner.app.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['scan', '--help'])\n"
    )
    assert [] == loaded(code, *HEAVY, "checks.registry", "reports.i18n")


def test_checks_loads_no_logging_or_renderers() -> None:
    """``msgscan checks`` logs nothing: structlog (and asyncio) stay unloaded, no renderer."""
    assert [] == loaded(run_main("checks"), *HEAVY, "asyncio")


RULES_AND_TRANSLATIONS = (
    "checks.registry",
    "checks.rules",
    "checks.rule",
    "checks.facts",
    "checks.catalog",
    "checks.findings",
    "checks.policy",
    "dataclasses",
    "reports.i18n",
    "reports.i18n.de_evidence",
    "babel",
)
"""What ``msgscan checks`` in English (and ``--help``) does not load: the rule modules, the
facts model and the catalog (creating their dataclasses was ~100 ms), and the translations
(Babel and the German tables, ~40 ms)."""


@pytest.mark.parametrize("argv", [["checks"], ["checks", "--json"], ["checks", "--lang", "en"]])
def test_checks_in_english_loads_no_rule_module_and_no_translation(argv: list[str]) -> None:
    """The English listing and ``--json`` are read from checklist.json: no rule module, no facts
    model, no catalog, not even ``dataclasses``; no ``reports.i18n``, no Babel."""
    assert [] == loaded(run_main(*argv), *RULES_AND_TRANSLATIONS)


def test_checks_in_german_loads_the_registry_and_the_translations() -> None:
    """German titles come from the translations of the registry's checks: both load."""
    found = loaded(run_main("checks", "--lang", "de"), "checks.registry", "reports.i18n")
    assert ["checks.registry", "reports.i18n"] == found


def test_help_loads_no_policy_model() -> None:
    """The parser reads the attestable items from ``checks.attestable``, not the policy model."""
    code = (
        "import contextlib, io\nfrom scanner.app.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['attest', '--help'])\n"
    )
    assert [] == loaded(code, *RULES_AND_TRANSLATIONS)


def test_the_listing_file_is_what_the_registry_says() -> None:
    """checklist.json is the registry's listing, byte for byte (``python -m
    scanner.app.cli.checklist`` writes it again after a rule's metadata changed)."""
    from scanner.app.cli.checklist import LISTING, listing, listing_json

    assert listing_json(listing()) == Path(LISTING).read_text(encoding="utf-8"), (
        "checklist.json is stale: run python -m scanner.app.cli.checklist"
    )


def test_the_listing_s_english_words_are_the_translations_own() -> None:
    """The words ``msgscan checks`` prints in English are ``reports.i18n``'s English, one for
    every severity."""
    from checks.findings import Severity
    from reports.i18n import Lang, Texts
    from scanner.app.cli.checklist import ENGLISH_WORDS

    english = Texts(Lang.EN)
    assert {key: english.t(key) for key in ENGLISH_WORDS} == ENGLISH_WORDS
    severities = {k for k in ENGLISH_WORDS if k.startswith("severity.")}
    assert {f"severity.{s.value}" for s in Severity} == severities


@pytest.mark.parametrize(
    ("flag", "environ"),
    [
        (None, {}),
        (None, {"LANG": "de_DE.UTF-8"}),
        (None, {"LANG": "en_GB.UTF-8"}),
        (None, {"LC_ALL": "de_AT", "LANG": "en_US"}),
        (None, {"LC_ALL": "", "LC_MESSAGES": "en_US", "LANG": "de_DE"}),
        (None, {"LC_MESSAGES": "DE_ch"}),
        (None, {"LANG": "C"}),
        ("en", {"LANG": "de_DE"}),
        ("de", {"LANG": "en_US"}),
    ],
)
def test_the_listing_chooses_the_language_as_every_command_does(
    flag: str | None, environ: dict[str, str]
) -> None:
    """``checklist.english`` (no translations loaded) agrees with ``show.chosen_lang``."""
    from reports.i18n import Lang
    from scanner.app.cli.checklist import english
    from scanner.app.show import chosen_lang

    assert english(flag, environ) == (chosen_lang(flag, environ) is Lang.EN)


def test_replay_scan_loads_only_what_it_uses() -> None:
    """A text scan of a recording loads neither rich, jsonschema, HTML, JSON nor the recording
    builder; without -v it writes no log line, so structlog (and asyncio) stay unloaded; with
    -v into a pipe structlog loads for the wave lines, still without rich."""
    assert [] == loaded(run_main("scan", "--replay", str(A16)), "reports.signing")  # no key given
    quiet = run_main("scan", "--replay", str(A16))
    assert [] == loaded(quiet, *HEAVY[:-3], "structlog", "asyncio")
    verbose = run_main("-v", "scan", "--replay", str(A16))
    assert ["structlog"] == loaded(verbose, *HEAVY[:-3], "structlog")


def test_replay_scan_loads_no_thread_pool_temp_files_or_package_resources(tmp_path: Path) -> None:
    """A replay runs its streams one after another (no thread pool: ``concurrent.futures`` and
    the ``logging`` it imports stay unloaded), names its batches' markers without ``secrets``,
    writes no file (no ``tempfile``) and reads no translation catalog in English (no
    ``importlib.resources``); writing the report to a file loads ``tempfile`` for it."""
    names = ("concurrent.futures", "logging", "secrets", "tempfile", "importlib.resources")
    assert [] == loaded(run_main("scan", "--replay", str(A16)), *names)
    report = tmp_path / "r.json"
    code = run_main("scan", "--replay", str(A16), "-o", str(report))
    assert ["tempfile"] == loaded(code, *names)
    assert json.loads(report.read_text())["findings"]


def test_the_checks_model_creates_no_dataclass() -> None:
    """The facts model, findings, policy, catalog, rules, evaluation and the report texts are
    msgspec Structs (README, "Dependencies"): importing all of them creates no dataclass, so
    ``dataclasses`` (and the ~0.6 ms Python 3.11 spends compiling each one) stays unloaded."""
    code = "import checks.evaluate, checks.registry, checks.drift, checks.damaged, reports.i18n"
    assert ["msgspec"] == loaded(code, "dataclasses", "msgspec")


def test_a_scan_that_sends_configures_logging_at_once(tmp_path: Path) -> None:
    """``scan --send`` configures structlog before the command runs (the agent's delivery
    modules log through structlog directly, so it must be set up before they import it); a scan
    without it leaves structlog unconfigured until a line is written."""

    def configured(*argv: str) -> bool:
        probe = run_main(*argv) + "import structlog\nprint(structlog.is_configured())\n"
        out = subprocess.run(
            [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        return out.stdout.split()[-1] == "True"

    config = str(tmp_path / "none.toml")  # refused: the scan stops before the phone, exit 2
    assert configured("scan", "--replay", str(A16), "--send", "x", "--config", config)
    assert not configured("scan", "--replay", str(A16))


REPLAY_UNUSED = (
    "scanner.simphone.adbd",
    "scanner.simphone.auth",
    "scanner.simphone.connection",
    "cryptography.hazmat.primitives.serialization.pkcs7",
    "tomllib",
    "checks.policy_file",
    "structlog",
    "asyncio",
    "babel",
    "reports.i18n.de_checks",
    "reports.i18n.de_evidence",
)
"""What a replay scan of a recording with signed APKs does not load: the simulated phone's
server (its auth imports cryptography), v1 (PKCS#7) signature reading when every APK has a
signing block, the policy file reader without ``--policy``, logging without ``-v``, and, for
an English report, Babel and the German tables."""


def test_replay_scan_loads_no_cryptography_and_no_openssl() -> None:
    """The shipped Android 16 recording holds signed APKs: their certificates are read by
    ``scanner.parse.der_certificate`` and WhatsApp's rotation (RSA PKCS #1 v1.5) verified by
    ``scanner.parse.rsa_pkcs1``, their digests taken with CPython's own SHA-256
    (``checks.digests``): no ``cryptography`` at all, no ``hashlib`` and no ``_hashlib``
    (OpenSSL's libcrypto), with nothing of the rest. A recording without APKs (the profile
    set-ups) loads none of it either."""
    names = (
        "cryptography",
        "_cffi_backend",
        "hashlib",
        "_hashlib",
        "hmac",
        "email.utils",
        *REPLAY_UNUSED,
    )
    assert [] == loaded(run_main("scan", "--replay", str(A16)), *names)
    profile = ROOT / "scanner" / "recordings" / "profiles-secure-folder-android14.json"
    assert [] == loaded(run_main("scan", "--replay", str(profile)), *names)


def test_replay_scan_creates_no_dataclass() -> None:
    """Every value class a replay scan creates is a msgspec Struct or a plain class (the
    parsers', the probes', the transport's, the batches', the recording's and the replay
    shell's): ``dataclasses`` stays unloaded, and so does ``copy``, which only it imported."""
    assert [] == loaded(run_main("scan", "--replay", str(A16)), "dataclasses", "copy")


def test_replay_scan_loads_no_socket_and_no_close_match_finder() -> None:
    """``socket`` (with ``selectors``) loads for the host name only the ECS and CEF events carry,
    and ``difflib`` for the hint after a mistyped choice (``msgscan scna``): a replay's text
    report needs neither; a CEF report loads ``socket``."""
    names = ("socket", "selectors", "difflib")
    assert [] == loaded(run_main("scan", "--replay", str(A16)), *names)
    assert ["socket"] == loaded(run_main("scan", "--replay", str(A16), "--format", "cef"), "socket")


def test_deferred_logging_writes_the_first_line_at_the_level_it_was_configured_for() -> None:
    """``scanner.log``: with structlog deferred at WARNING, an info line is dropped without
    importing structlog; the first warning configures it and lands on stderr as JSON."""
    code = (
        "import sys\nfrom scanner.app.cli.logs import configure_logging\n"
        "from scanner.log import Log\n"
        "configure_logging(0, 0, 'json', load=False)\n"
        "Log('msgscan.test').info('dropped', n=1)\n"
        "print('structlog' in sys.modules)\n"
        "Log('msgscan.test').warning('kept', n=2)\n"
        "print('structlog' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert ["False", "True"] == out.stdout.split()
    [line] = out.stderr.splitlines()
    record = json.loads(line)
    assert ("kept", "warning", 2) == (record["event"], record["level"], record["n"])


def test_rendering_a_saved_report_loads_the_schema_and_its_renderer(tmp_path: Path) -> None:
    """jsonschema loads where validation is: ``msgscan report`` (and only the renderer asked)."""
    report = tmp_path / "r.json"
    loaded(run_main("scan", "--replay", str(A16), "-o", str(report)))
    names = (
        "jsonschema",
        "reports.render.csv",
        "reports.render.html",
        "reports.render.json",
        "rich",
    )
    assert ["jsonschema", "reports.render.csv"] == loaded(
        run_main("report", str(report), "--format", "csv"), *names
    )


@pytest.mark.parametrize(
    "argv", [["checks", "--json"], ["keygen", "{tmp}/k"], ["parse", "dumpsys-package", "{tmp}/x"]]
)
def test_silent_commands_leave_structlog_unloaded(argv: list[str], tmp_path: Path) -> None:
    """Commands that log nothing do not import structlog, even with -v."""
    (tmp_path / "x").write_text("Packages:\n")
    words = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert [] == loaded(run_main("-v", *words), "structlog", "rich")


def test_rich_loads_for_logs_only_on_a_terminal_when_asked() -> None:
    """With stderr on a terminal, structlog gets rich (pretty tracebacks) only with -v: a scan
    without -v shows warnings alone (it writes none) and leaves rich and structlog unloaded."""
    import pty

    def on_terminal(*argv: str) -> list[str]:
        probe = (
            run_main(*argv) + "import json\n"
            "print(json.dumps([n for n in ('rich', 'structlog') if n in sys.modules]))"
        )
        main_fd, terminal = pty.openpty()
        drain = threading.Thread(target=_drain, args=(main_fd,), daemon=True)  # never a full pty
        drain.start()
        try:
            out = subprocess.run(
                [sys.executable, "-c", probe],
                cwd=ROOT,
                stderr=terminal,
                stdout=subprocess.PIPE,
                check=True,
                text=True,
                timeout=120,
            )
        finally:
            os.close(terminal)
            os.close(main_fd)
        found: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
        return found

    assert [] == on_terminal("scan", "--replay", str(A16))
    assert ["rich", "structlog"] == on_terminal("-v", "scan", "--replay", str(A16))


def _drain(fd: int) -> None:
    """Read what the child writes to its terminal until it is closed."""
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass


def test_a_json_report_loads_cryptography_only_to_sign(tmp_path: Path) -> None:
    """The JSON report's digest is CPython's own SHA-256 and its model msgspec's: without a
    key neither ``cryptography`` nor ``hashlib`` nor ``dataclasses`` loads; with
    ``--sign-key`` the Ed25519 key (``reports.signing``, cryptography) loads and signs."""
    names = ("cryptography", "hashlib", "_hashlib", "dataclasses", "reports.signing")
    plain = tmp_path / "plain.json"
    assert [] == loaded(run_main("scan", "--replay", str(A16), "-o", str(plain)), *names)
    assert json.loads(plain.read_bytes())["integrity"]["sha256"]
    key = tmp_path / "k"
    loaded(run_main("keygen", str(key)))
    signed = tmp_path / "signed.json"
    code = run_main("scan", "--replay", str(A16), "--sign-key", str(key), "-o", str(signed))
    assert "cryptography" in loaded(code, *names)
    assert json.loads(signed.read_bytes())["integrity"]["signature"]["algorithm"] == "ed25519"


def test_replay_scan_loads_no_shutil_threading_or_send_module() -> None:
    """argparse's help width comes from ``habits.terminal_columns`` (no ``shutil``, with its
    ``bz2`` and ``lzma``), the locks are ``_thread``'s (no ``threading``), and the ``--send``
    and schema-validation modules' imports wait for their use."""
    names = ("shutil", "bz2", "lzma", "threading", "scanner.app.cli.send", "jsonschema")
    assert [] == loaded(run_main("scan", "--replay", str(A16)), *names)
    assert [] == loaded(run_main("checks"), *names)
