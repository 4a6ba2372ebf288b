"""`msgscan scan --format ocsf|ecs|cef` and `msgscan scan --send NAME --config agent.toml`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.app.cli import main
from tests.reports.deliver.peers import Receiver, Reply, assert_ocsf
from tests.scanner.app.cli.test_cli import A16, run

TOKEN = "cli-hec-token-do-not-log"


def agent_config(tmp: Path, receiver: Receiver) -> Path:
    config = tmp / "agent.toml"
    config.write_text(f"""[agent]
state_dir = "state"
[schedule]
every = "1h"
[destinations.splunk]
type = "hec"
url = "{receiver.url}"
token_env = "MSGSCAN_TEST_HEC_TOKEN"
backoff = 0.05
backoff_max = 0.2
""")
    return config


@pytest.mark.parametrize("fmt", ["ocsf", "ecs", "cef"])
def test_event_formats(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    """One line per finding; OCSF lines validate; the exit code is the scan's."""
    code, out, _ = run(capsys, "scan", "--replay", A16, "--format", fmt)
    lines = out.splitlines()

    assert 1 == code and lines
    if fmt == "ocsf":
        assert len(lines) == assert_ocsf(json.loads(line) for line in lines)
    elif fmt == "ecs":
        assert {"state"} == {json.loads(line)["event"]["kind"] for line in lines}
    else:
        assert all(line.startswith("CEF:0|msgscan project|msgscan|") for line in lines)


def test_pseudonymized_events(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MSGSCAN_PSEUDONYM_KEY", "a-key-for-the-tests-0123456789")
    for fmt in ("ocsf", "ecs", "cef"):
        _, out, _ = run(capsys, "scan", "--replay", A16, "--pseudonymize", "--format", fmt)
        assert ("MSGSCAN16PH" in out, "anon-" in out) == (False, True)


def test_send(tmp_path: Path, receiver: Receiver, capsys: pytest.CaptureFixture[str],
              monkeypatch: pytest.MonkeyPatch) -> None:
    """--send delivers the scan's events to the named destination (after one 503)."""
    monkeypatch.setenv("MSGSCAN_TEST_HEC_TOKEN", TOKEN)
    receiver.script = [Reply(503)]
    config = agent_config(tmp_path, receiver)

    code, out, err = run(capsys, "scan", "--replay", A16, "--format", "ocsf", "--send", "splunk",
                         "--config", str(config))

    printed = [json.loads(line)["metadata"]["uid"] for line in out.splitlines()]
    assert 1 == code and "sent" in err
    assert printed == receiver.hec_ids()
    assert TOKEN not in out + err


def test_send_refused_keeps_the_events(tmp_path: Path, receiver: Receiver,
                                       capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A 403 ends the command with exit 2 and a hint; the events stay in the outbox; no token."""
    monkeypatch.setenv("MSGSCAN_TEST_HEC_TOKEN", TOKEN)
    receiver.script = [Reply(403, body=b'{"text":"Token disabled","code":1}')]
    config = agent_config(tmp_path, receiver)

    code, _, err = run(capsys, "scan", "--replay", A16, "--send", "splunk", "--config", str(config))

    assert 2 == code
    assert "error: splunk:" in err and "HTTP 403" in err and "stay queued" in err
    assert TOKEN not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--send", "splunk"], "no agent config: none at "),
        (["--send", "nope", "--config", "CONFIG"], "no [destinations.nope]"),
    ],
)
def test_send_mistakes(argv: list[str], message: str, tmp_path: Path, receiver: Receiver,
                       capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    config = str(agent_config(tmp_path, receiver))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "nothing-here"))
    code = main(["scan", "--replay", A16, *[config if a == "CONFIG" else a for a in argv]])
    _, err = capsys.readouterr()

    assert 2 == code and message in err and "hint:" in err
