"""One endpoint rule (``scanner.endpoints``) for ``--tcp``, ``[tcp] endpoints`` and the TCP
inventory: the same addresses are accepted, the same are refused, each with exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.app.cli import main
from scanner.endpoints import InvalidValue, parse_endpoint

BAD = [
    "192.168.1.23",  # no port
    ":5555",  # no host
    "host:",
    "host:99999",
    "phone:0",
    "h:x",
    "fd00::21:5555",  # IPv6 without brackets
    "[fd00::21:5555",
    "[fd00::zz]:5555",
    "[10.0.0.1]:5555",
    "999.1.1.1:5555",
    "-bad.example:5555",
]
GOOD = [
    ("192.168.1.23:5555", ("192.168.1.23", 5555)),
    ("phone.local:5555", ("phone.local", 5555)),
    ("phone_7:65535", ("phone_7", 65535)),
    ("[::1]:5555", ("::1", 5555)),
    ("[fe80::1%wlan0]:5555", ("fe80::1%wlan0", 5555)),
]


@pytest.mark.parametrize(("text", "expected"), GOOD)
def test_accepts(text: str, expected: tuple[str, int]) -> None:
    """host:port, names, IPv4 and bracketed IPv6 (returned without the brackets)."""
    assert expected == parse_endpoint(text)


@pytest.mark.parametrize("text", BAD)
def test_refuses_with_a_hint(text: str) -> None:
    """Anything else names the part that is wrong and shows how to write it."""
    with pytest.raises(InvalidValue) as caught:
        parse_endpoint(text)

    assert caught.value.problem and caught.value.hint


@pytest.mark.parametrize("text", BAD)
def test_both_callers_refuse_with_exit_2(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``msgscan scan --tcp BAD`` and an agent config listing BAD both exit 2, before any
    connection, with the same problem in their message."""
    problem = ""
    try:
        parse_endpoint(text)
    except InvalidValue as e:
        problem = e.problem
    config = tmp_path / "agent.toml"
    config.write_text(
        f'[agent]\nstate_dir = "{tmp_path / "state"}"\n[schedule]\nevery = "1h"\n'
        f"[usb]\nenabled = false\n[adb_server]\nuse = false\n[tcp]\nendpoints = [{text!r}]\n".replace(
            "'", '"'
        )
    )

    with pytest.raises(SystemExit) as cli:
        main(["scan", f"--tcp={text}"])
    cli_err = capsys.readouterr().err
    agent = main(["agent", "--config", str(config), "--once"])
    agent_err = capsys.readouterr().err

    assert (2, 2) == (cli.value.code, agent)
    assert problem in cli_err
    assert problem in agent_err
