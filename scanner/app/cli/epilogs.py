"""The epilogs of ``--help``: each command's exit codes (``exits.ExitCode``) and what it needs to
know beyond its options. The man page's EXIT STATUS section is made from them
(packaging/generate.py).
"""

from __future__ import annotations

EPILOG = """\
exit codes: 0 done (`scan` and `agent --once`: 1 when a check failed); 2 could not scan or bad
input (no phone, not authorized, busy, lost, timed out, unreadable or special file); `agent --once`:
3 when the round is incomplete. Errors go to stderr as "error: ..." and "hint: ..." lines. Output into a
closed pipe (| head) ends quietly with 141.
"""  # noqa: E501 - printed as written (RawDescriptionHelpFormatter): --help stays as it was

SIM_EPILOG = """\
Each phone prints where it listens. Scan one with `msgscan scan --tcp 127.0.0.1:PORT`, or use
Google's adb: `adb connect 127.0.0.1:PORT`. Runs until Ctrl-C or SIGTERM; exit code 2 on bad input.
"""

AGENT_EPILOG = """\
Logs go to stderr: readable lines on a terminal, JSON lines otherwise (systemd, pipes;
--log-format, --log-file). Without --config the agent reads $XDG_CONFIG_HOME/msgscan/agent.toml
or /etc/msgscan/agent.toml and names the one it used. Signals: SIGTERM/SIGINT end the current round within 10 s and exit 0;
SIGHUP reloads the config and policy (a bad file keeps the old one and logs why).
exit codes: 0 stopped cleanly (--once: every phone found was scanned completely, none had a
failed check, every event was delivered); 1 (--once) at least one phone had a failed check; 2 could
not start: bad config, policy or key, another agent holds the state directory, or the state
database cannot be written (disk full); 3 (--once) the round is incomplete: a phone could not be
scanned completely (unauthorized, busy, unreachable, lost, timed out, interrupted), a line of the
TCP inventory is bad, or a destination did not take every event (paused, retrying); stderr says which.
"""  # noqa: E501 - printed as written (RawDescriptionHelpFormatter): --help stays as it was

SCAN_EPILOG = """\
exit codes: 0 no failed check; 1 at least one failed check (waived failures and informational
results do not count); 2 could not scan or bad input (no phone, not authorized, busy, lost or hung
phone, bad policy or flag). A scan that lost the phone half way still writes its report, marked incomplete, and exits 2.
With --send, events the destination did not take within 60 s also exit 2 (they stay queued).
"""  # noqa: E501 - printed as written (RawDescriptionHelpFormatter): --help stays as it was


KEYGEN_EPILOG = """\
Writes the private key to FILE (PEM, mode 0600; keep it on the machine that writes reports) and
the public key to FILE.pub (give it to auditors). Refuses to overwrite either file.
Use the key with `msgscan scan --sign-key FILE`, `msgscan report --sign-key FILE`, the agent's
[agent] signing_key, or the MSGSCAN_SIGNING_KEY environment variable.
exit codes: 0 created; 2 the file exists or cannot be written.
"""

VERIFY_EPILOG = """\
exit codes: 0 valid: unchanged and signed by a --key; 1 tampered: changed since it was written or
signed; 2 cannot tell: not signed, signed by a key not given, unreadable, or no integrity data.
Check without msgscan: docs/integrity.md (jq, sha256sum, openssl).
"""

EPILOGS = {
    "report": """\
exit codes: 0 rendered; 2 bad input: the file is missing, unreadable, not JSON or not a msgscan
report of schema 1.x, a fleet summary asked for in another format than html, or an -o whose
format cannot be told. Errors go to stderr as "error: ..." and "hint: ..." lines.
""",
    "devices": """\
exit codes: 0 listed (also when no phone is found: the listing says so); 2 bad input (a bad
--tcp endpoint). Phones that are unauthorized, offline or busy are listed with that state.
""",
    "snapshot": """\
exit codes: 0 every fact was collected; 2 the phone could not be read completely (the facts that
were read are still printed, marked INCOMPLETE) or could not be reached (no phone, not
authorized, busy, lost, timed out, unreadable recording).
""",
    "record": """\
exit codes: 0 the recording is complete; 2 the phone stopped answering (the recording is still
written, marked incomplete) or could not be reached, or the file cannot be written.
""",
    "parse": """\
exit codes: 0 parsed (damaged lines are named in the output, never guessed); 2 the file cannot
be read.
""",
    "checks": """\
exit codes: 0 always. --json prints the statuses and rules for machines (ids and English texts).
""",
}

__all__ = [
    "AGENT_EPILOG",
    "EPILOG",
    "EPILOGS",
    "KEYGEN_EPILOG",
    "SCAN_EPILOG",
    "SIM_EPILOG",
    "VERIFY_EPILOG",
]
