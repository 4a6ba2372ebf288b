"""[destinations.NAME] tables: what is accepted, and errors that name file, key and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports.deliver.settings import DestinationConfigError, parse_destinations
from scanner.app.agent.config import AgentConfigError, parse_agent_config

MINIMAL = b'[agent]\nstate_dir = "/s"\n[schedule]\nevery = "1h"\n'


def parse(tables: dict[str, dict[str, object]]):  # type: ignore[no-untyped-def]
    return parse_destinations(tables, "agent.toml", base_dir=Path("/etc/msgscan"))


class TestAccepted:
    def test_every_kind(self) -> None:
        """One table of each kind, with defaults filled in."""
        found = parse({
            "f": {"type": "file", "path": "findings.ndjson"},
            "o": {"type": "stdout", "format": "cef"},
            "s": {"type": "syslog", "host": "siem", "protocol": "tls"},
            "h": {"type": "hec", "url": "https://splunk:8088", "token_env": "T"},
            "e": {"type": "elastic", "url": "https://es:9200", "api_key_env": "K"},
            "w": {"type": "webhook", "url": "https://hook.example.org/x", "format": "ecs"},
        })

        assert Path("/etc/msgscan/findings.ndjson") == found["f"].path
        assert (6514, "cef", True) == (found["s"].port, found["s"].format, found["s"].verify_tls)
        assert "ocsf:msgscan:finding" == found["h"].sourcetype
        assert "logs-msgscan.finding-default" == found["e"].index
        assert 7 * 86400 == found["h"].heartbeat_s and 100_000 == found["h"].max_queue

    def test_secret_from_the_environment(self) -> None:
        dest = parse({"h": {"type": "hec", "url": "https://s:8088", "token_env": "T"}})["h"]
        assert "tok" == dest.secret("token", {"T": "tok"})
        with pytest.raises(DestinationConfigError, match="T is not set"):
            dest.secret("token", {})

    def test_secret_not_in_repr(self) -> None:
        """A destination printed in a log or a traceback shows no token."""
        dest = parse({"h": {"type": "hec", "url": "https://s:8088", "token": "s3cr3t-token"}})["h"]
        assert "s3cr3t-token" not in repr(dest)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"type": "splunk"}, "destinations.x.type: got 'splunk', expected one of"),
        ({"type": "file"}, "destinations.x.path: missing"),
        ({"type": "syslog", "host": "h", "protocl": "udp"}, "destinations.x.protocl: unknown key"),
        ({"type": "syslog", "host": "h", "protocol": "udp", "format": "ocsf"},
         "destinations.x.format: OCSF JSON does not fit a UDP datagram"),
        ({"type": "syslog", "host": "h", "port": 70000}, "destinations.x.port: got 70000"),
        ({"type": "hec", "url": "https://s:8088"}, "destinations.x.token_env: missing"),
        ({"type": "hec", "url": "ftp://s", "token_env": "T"}, "destinations.x.url: got 'ftp://s'"),
        ({"type": "webhook", "url": "https://u:p@s/x"}, "destinations.x.url: credentials in the URL"),
        ({"type": "elastic", "url": "https://es", "username": "u"}, "destinations.x.password_env"),
        ({"type": "stdout", "batch": 0}, "destinations.x.batch: got 0"),
        ({"type": "stdout", "heartbeat": "soon"}, "destinations.x.heartbeat: got 'soon'"),
        ({"type": "stdout", "verify_tls": "no"}, "destinations.x.verify_tls: unknown key"),
    ],
)
def test_mistakes(table: dict[str, object], message: str) -> None:
    """Each mistake names the file, destinations.NAME.key and the problem, with a hint."""
    with pytest.raises(DestinationConfigError) as caught:
        parse({"x": table})

    assert f"agent.toml: {message}" in caught.value.problem
    assert caught.value.hint


def test_agent_config_refuses_a_bad_destination() -> None:
    """The agent config itself is refused (AgentConfigError), so a bad table never starts."""
    data = MINIMAL + b'[destinations.siem]\ntype = "syslog"\nport = 514\n'

    with pytest.raises(AgentConfigError, match=r"agent.toml: destinations.siem.host: missing"):
        parse_agent_config(data, "agent.toml", base_dir=Path("/etc"))


def test_missing_receiver_program_fails_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """A missing rsyslogd skips locally but fails under CI=true."""
    from tests.reports.deliver.peers import need

    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Debian package nothing-here"):
        need("no-such-daemon", "nothing-here")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        need("no-such-daemon", "nothing-here")
