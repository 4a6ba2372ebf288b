"""What people expect of a command-line tool: a quiet closed pipe, -v/-q anywhere, log formats
and files, did you mean, completions and a man page made from the parser (and current), each
subcommand's own exit codes in --help, German checks, the verdict last, the agent's config found."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.app.cli import build_parser, main
from scanner.app.cli.habits import EXIT_CLOSED_PIPE, config_candidates, find_agent_config
from tests.reports.deliver.peers import need
from tests.test_reading import A16, run

ROOT = Path(__file__).resolve().parents[4]
PACKAGING = ROOT / "packaging"


def msgscan(*argv: str, **kw: object) -> subprocess.Popen[bytes]:
    streams: dict[str, object] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE} | kw
    return subprocess.Popen([sys.executable, "-m", "scanner.app.cli", *argv], cwd=ROOT,
                            **streams)  # type: ignore[call-overload]


def test_closed_pipe_ends_quietly() -> None:
    """`msgscan checks | head -0`: the reader is gone before msgscan writes: no traceback."""
    proc = msgscan("checks", "--lang", "de")
    assert proc.stdout is not None
    proc.stdout.close()  # the reader went away (as head does after its lines)
    _, err = proc.communicate(timeout=60)

    assert b"" == err
    assert EXIT_CLOSED_PIPE == proc.returncode


def test_closed_pipe_in_a_shell() -> None:
    out = subprocess.run(["bash", "-c", f"{sys.executable} -m scanner.app.cli checks | head -n 1"],
                         cwd=ROOT, check=False, capture_output=True, text=True, timeout=60)
    assert ("", 1) == (out.stderr, len(out.stdout.splitlines()))


class TestLogging:
    @pytest.mark.parametrize("argv", [["-v", "checks"], ["checks", "-v"],
                                      ["parse", "dumpsys-package", "-", "-v"]])
    def test_verbose_before_or_after(self, argv: list[str]) -> None:
        args = build_parser().parse_args(argv)
        assert (1, 0) == (args.verbose, args.quiet)

    def test_quiet_exists(self) -> None:
        assert 1 == build_parser().parse_args(["scan", "-q"]).quiet

    def test_json_when_not_a_terminal_human_when_asked(self, tmp_path: Path) -> None:
        """Info lines of a scan: JSON on a pipe, readable with --log-format human, into
        --log-file when given."""
        proc = msgscan("scan", "--replay", A16, "-v", "-o", str(tmp_path / "r.json"))
        _, err = proc.communicate(timeout=120)
        lines = err.decode().splitlines()
        assert lines and all(json.loads(line)["level"] for line in lines)

        proc = msgscan("scan", "--replay", A16, "-v", "--log-format", "human", "-o", str(tmp_path / "r.json"))
        _, err = proc.communicate(timeout=120)
        assert err and not err.lstrip().startswith(b"{") and b"[info" in err

        log = tmp_path / "msgscan.log"
        proc = msgscan("scan", "--replay", A16, "-v", "--log-file", str(log), "-o", str(tmp_path / "r.json"))
        _, err = proc.communicate(timeout=120)
        assert b"" == err
        assert all(json.loads(line)["timestamp"] for line in log.read_text().splitlines())

    def test_human_on_a_terminal(self, tmp_path: Path) -> None:
        """With stderr a terminal (a pty here), the log is readable lines, not JSON."""
        import pty

        leader, follower = pty.openpty()
        proc = msgscan("scan", "--replay", A16, "-v", "-o", str(tmp_path / "r.json"), stderr=follower)
        os.close(follower)
        proc.communicate(timeout=120)
        err = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
        os.close(leader)
        lines = [line for line in err.decode(errors="replace").splitlines() if line.strip()]
        assert lines and not any(line.lstrip().startswith("{") for line in lines)
        assert any("info" in line and "wave.done" in line for line in lines)

    def test_quiet_silences_warnings(self, tmp_path: Path) -> None:
        proc = msgscan("scan", "--replay", A16, "-q", "-o", str(tmp_path / "r.json"))
        _, err = proc.communicate(timeout=120)
        assert b"" == err


def test_did_you_mean(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        main(["scna"])
    _, err = capsys.readouterr()
    assert 2 == ended.value.code
    assert "invalid choice: 'scna'" in err and "hint: did you mean 'scan'?" in err


class TestShipped:
    def test_current(self) -> None:
        """The completions and the man page are what the parser makes today."""
        out = subprocess.run([sys.executable, str(PACKAGING / "generate.py"), "--check"],
                             check=False, capture_output=True, text=True, timeout=120)
        assert (0, "") == (out.returncode, out.stderr)

    def test_bash_completion_loads_and_completes(self) -> None:
        script = (f"source {PACKAGING / 'completion' / 'msgscan.bash'}; complete -p msgscan; "
                  "COMP_WORDS=(msgscan sc); COMP_CWORD=1; COMP_LINE='msgscan sc'; COMP_POINT=10; "
                  "_shtab_msgscan; echo \"${COMPREPLY[@]}\"")
        out = subprocess.run(["bash", "-c", script], check=False, capture_output=True, text=True, timeout=30)
        assert "" == out.stderr
        assert "complete -o bashdefault -F _shtab_msgscan msgscan" in out.stdout
        assert "scan" in out.stdout.splitlines()[-1].split()

    def test_fish_completion(self) -> None:
        fish = need("fish", "fish")
        script = f"source {PACKAGING / 'completion' / 'msgscan.fish'}; complete -C 'msgscan report --format '"
        out = subprocess.run([fish, "--no-config", "-c", script], check=False, capture_output=True, text=True, timeout=30)
        assert "" == out.stderr
        assert {"csv", "ocsf", "html"} <= {line.split("\t")[0] for line in out.stdout.splitlines()}

    def test_zsh_completion_parses(self) -> None:
        zsh = need("zsh", "zsh")
        out = subprocess.run([zsh, "-n", str(PACKAGING / "completion" / "_msgscan")],
                             check=False, capture_output=True, text=True, timeout=30)
        assert (0, "") == (out.returncode, out.stderr)

    def test_man_page_renders(self) -> None:
        man = need("man", "man-db")
        out = subprocess.run([man, "-l", "-P", "cat", str(PACKAGING / "msgscan.1")],
                             check=False, capture_output=True, text=True, timeout=30, env={**os.environ, "MANWIDTH": "80"})
        assert (0, "") == (out.returncode, out.stderr)
        assert "MSGSCAN(1)" in out.stdout and "msgscan scan" in out.stdout and "exit codes" in out.stdout
        assert "EXIT STATUS" in out.stdout and "0 rendered; 2 bad input" in " ".join(out.stdout.split())


class TestHelp:
    @pytest.mark.parametrize(("command", "says"), [
        ("report", "0 rendered; 2 bad input"),
        ("devices", "0 listed (also when no phone is found"),
        ("snapshot", "0 every fact was collected"),
        ("record", "0 the recording is complete"),
        ("checks", "0 always"),
    ])
    def test_own_exit_codes(self, command: str, says: str, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit):
            main([command, "--help"])
        out, _ = capsys.readouterr()
        assert says in " ".join(out.split())
        assert "1 when a check failed" not in out and "0 no failed check" not in out

    def test_checks_lang_help_is_about_the_listing(self, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit):
            main(["checks", "--help"])
        out, _ = capsys.readouterr()
        lang = " ".join(out.rsplit("--lang de|en", 1)[1].split("logging:")[0].split())
        assert "language of the listing" in lang and "JSON" not in lang

    def test_report_offers_only_what_it_renders(self, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit):
            main(["report", "--help"])
        out = " ".join(capsys.readouterr()[0].split())
        assert "A fleet summary renders as html only" in out


def test_checks_german_throughout(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "checks", "--lang", "de")
    assert "article:" not in out and "attest:" not in out
    assert "Artikel:" in out and "bestätigen:" in out
    assert not {"medium", "high", "critical", "low"} & {line.split()[1] for line in out.splitlines()
                                                       if line[:3] in ("MSG", "DEV", "ORG")}


def test_terminal_summary_ends_with_the_verdict() -> None:
    from reports.i18n import Lang
    from reports.render.terminal import TerminalRenderer
    from tests.reports.scans import replayed, scan

    text = TerminalRenderer(Lang.EN, color=False).render(scan(replayed(Path(A16).name))).decode()
    assert text.rstrip().splitlines()[-1].startswith("Verdict")


class TestAgentConfig:
    def test_candidates(self) -> None:
        assert [Path("/x/msgscan/agent.toml"), Path("/etc/msgscan/agent.toml")] == config_candidates(
            {"XDG_CONFIG_HOME": "/x"})
        assert Path("/h/.config/msgscan/agent.toml") == config_candidates({"HOME": "/h"})[0]

    def test_found_and_named(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        config = tmp_path / "msgscan" / "agent.toml"
        config.parent.mkdir()
        config.write_text("")
        assert config == find_agent_config(None, {"XDG_CONFIG_HOME": str(tmp_path)})
        assert f"using the agent config {config}" in capsys.readouterr().err

    def test_none_found(self, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                        monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
        if Path("/etc/msgscan/agent.toml").exists():
            pytest.skip("this machine has /etc/msgscan/agent.toml")
        code, _, err = run(capsys, "agent", "--once")
        assert 2 == code
        assert f"no agent config: none at {tmp_path}/msgscan/agent.toml or /etc/msgscan/agent.toml" in err


def test_devices_exit_codes_as_its_help_says(capsys: pytest.CaptureFixture[str]) -> None:
    """`devices`: 0 when it listed (an endpoint nobody answers is listed as unreachable), 2 for a
    bad --tcp."""
    from tests.reports.deliver.peers import free_port

    port = free_port()
    code, out, _ = run(capsys, "devices", "--tcp", f"127.0.0.1:{port}")
    assert 0 == code and f"127.0.0.1:{port}" in out and "unreachable" in out
    with pytest.raises(SystemExit) as ended:
        main(["devices", "--tcp", "nonsense"])
    assert 2 == ended.value.code
