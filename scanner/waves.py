"""A wave: independent streams of probes run side by side on the phone (``run_wave``).

Each stream is a ``scanner.batch.ProbeStream`` (its probes in checked scripts, one exchange per
chunk); the wave opens up to ``transport.streams`` of them at once over the one connection, so
the phone runs their commands in parallel, and ends when every stream has.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from checks.errors import DeviceError, GarbledOutput, OutputTooLarge, ProbeTimeout
from checks.facts import ProbeRecord
from scanner import batch
from scanner.batch import BatchResult, Output, ProbeStream
from scanner.log import Log
from scanner.probes import Probe
from scanner.transport.interface import DEFAULT_TIMEOUT_S, Transport

log = Log("msgscan.collect")  # structlog, imported when a line is written (scanner.log)

_level = ["info"]
"""The level of the ``wave.done`` lines: info (``msgscan scan -v`` shows them), debug in an
agent's round (``in_agent``), whose ``phone.done`` line carries the waves and streams."""


def in_agent(level: str = "debug") -> str:
    """This process scans an agent's phones: its wave lines are ``level`` from now on (debug: a
    worker's filtering logger drops them before any is made into a line or sent to the agent);
    returns the level they had (a round puts it back at its end)."""
    before, _level[0] = _level[0], level
    return before


Streams = Sequence[Sequence[Probe]]
FollowUp = Callable[[int, BatchResult], Streams]
"""Called with a stream's number and result once it ended well; returns more streams for the
same wave (questions that this answer makes possible, e.g. per-user ones once the users are
known), started at once instead of a wave later."""


def run_wave(
    transport: Transport,
    streams: Streams,
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
    deadline: float | None = None,
    follow: FollowUp | None = None,
) -> BatchResult:
    """Run independent groups of probes as parallel streams: one wave; never raises.

    A transport that multiplexes streams (``run_streams``: adb-shell's sessions) keeps up to
    ``transport.streams`` of them open at once from this thread; one whose commands each have
    their own connection (the adb server) runs them on as many threads; any other one after
    another, in order. Once a stream fails, no stream starts another command (the phone is gone
    or hung, as in ``run``). The wave's error is the cause, not a consequence: a timeout or an
    output cut at the limit closes the connection, which every other open stream then sees.
    """
    stop = [False]
    numbered: list[tuple[int, ProbeStream]] = []

    def add(probes: Sequence[Probe]) -> ProbeStream:
        stream = ProbeStream(transport, probes, timeout, deadline, stop)
        numbered.append((len(numbered) + 1, stream))
        return stream

    width = max(1, int(getattr(transport, "streams", 1)))
    sources = [add(s) for s in streams]
    multiplexed = getattr(transport, "run_streams", None)
    if multiplexed is not None and width > 1:
        multiplexed(_Followed(sources, numbered, add, follow), width)
    elif width > 1:
        _threads(transport, numbered, add, follow, width)
    else:
        for number, stream in numbered:  # grows while it runs: follow-ups join the end
            stream.run_alone(transport)
            if stream.error is None and follow is not None:
                for more in follow(number, stream.result()):
                    add(more)
    transport.meter.wave(min(width, len(numbered)))
    merged = _merge([(n, s.result()) for n, s in numbered])
    stream_of = {p.name: n for n, s in numbered for p in s.probes}
    return BatchResult(merged.outputs, merged.missing, merged.error, merged.commands, stream_of)


class _Followed(list[ProbeStream]):
    """The wave's streams for a multiplexing transport, which re-reads this list as it runs: a
    stream that ended well may add follow-up streams here (``FollowUp``)."""

    def __init__(
        self,
        sources: list[ProbeStream],
        numbered: list[tuple[int, ProbeStream]],
        add: Callable[[Sequence[Probe]], ProbeStream],
        follow: FollowUp | None,
    ) -> None:
        super().__init__(sources)
        self._numbered, self._add, self._follow = numbered, add, follow

    def finished(self, stream: ProbeStream) -> None:
        """Called by the transport when ``stream`` has no next command."""
        if self._follow is None or stream.error is not None or stream.stop[0]:
            return
        number = next(n for n, s in self._numbered if s is stream)
        for more in self._follow(number, stream.result()):
            self.append(self._add(more))


def _threads(
    transport: Transport,
    numbered: list[tuple[int, ProbeStream]],
    add: Callable[[Sequence[Probe]], ProbeStream],
    follow: FollowUp | None,
    width: int,
) -> None:
    # deferred: only a transport whose commands each have their own connection (the adb server)
    # runs streams on threads; a replay or adb-shell's sessions do not (concurrent.futures and the
    # logging it imports, ~4 ms of start-up)
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    with ThreadPoolExecutor(max_workers=width, thread_name_prefix="msgscan-stream") as pool:
        running = {pool.submit(s.run_alone, transport): (n, s) for n, s in numbered}
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                number, stream = running.pop(future)
                result = future.result()
                if result.error is not None or follow is None or stream.stop[0]:
                    continue
                for more in follow(number, result):
                    extra = add(more)
                    running[pool.submit(extra.run_alone, transport)] = numbered[-1][0], extra


def _cause_rank(error: DeviceError) -> int:
    """Which of several streams' errors names what happened (lowest first)."""
    if isinstance(error, ProbeTimeout):
        return 0
    if isinstance(error, OutputTooLarge):
        return 1
    return 3 if isinstance(error, GarbledOutput) else 2


def _merge(results: list[tuple[int, BatchResult]]) -> BatchResult:
    outputs: dict[str, Output] = {}
    stream_of: dict[str, int] = {}
    missing: list[str] = []
    commands: list[str] = []
    errors: list[DeviceError] = []
    for number, result in results:
        outputs.update(result.outputs)
        stream_of.update(dict.fromkeys(result.outputs, number))
        missing += result.missing
        commands += result.commands
        if result.error is not None:
            errors.append(result.error)
    error = min(errors, key=_cause_rank) if errors else None
    return BatchResult(outputs, tuple(missing), error, tuple(commands), stream_of)


class Waves:
    """The waves of one scan: every output, which wave and stream carried it, what broke."""

    def __init__(self, transport: Transport, timeout: float, deadline: float | None) -> None:
        self.transport, self.timeout, self.deadline = transport, timeout, deadline
        self.width = max(1, int(getattr(transport, "streams", 1)))
        self.outputs: dict[str, Output] = {}
        self.asked: dict[str, Probe] = {}
        self.place: dict[str, tuple[int, int]] = {}
        self.lost: DeviceError | None = None
        self.problems: list[str] = []
        self.count = 0

    def run(
        self, streams: Sequence[Sequence[Probe]], follow: FollowUp | None = None
    ) -> BatchResult:
        self.count += 1
        started = time.monotonic()

        def noted(number: int, result: BatchResult) -> Streams:
            more = follow(number, result) if follow else ()
            self.asked.update((p.name, p) for s in more for p in s)
            return more

        self.asked.update((p.name, p) for s in streams for p in s)
        result = run_wave(
            self.transport, streams, timeout=self.timeout, deadline=self.deadline, follow=noted
        )
        getattr(log, _level[0])(
            "wave.done",
            wave=self.count,
            streams=max(result.stream_of.values(), default=0),
            probes=len(result.stream_of),
            answered=len(result.outputs),
            bytes=sum(o.size for o in result.outputs.values()),
            ms=round((time.monotonic() - started) * 1000, 1),
        )
        self.outputs.update(result.outputs)
        self.place.update((name, (self.count, s)) for name, s in result.stream_of.items())
        if result.error is not None and self.lost is None:
            self.lost = result.error
            self.problems.append(f"{result.error.problem} ({result.error.hint})")
        return result

    def so_far(self) -> BatchResult:
        """Every output of every wave as one result (the error: the first that broke one)."""
        return BatchResult(self.outputs, (), self.lost, ())

    def record(self, p: Probe) -> ProbeRecord:
        out = self.outputs.get(p.name)
        wave, stream = self.place.get(p.name, (None, None))
        if out is None:
            error: str | None = self.lost.problem if self.lost else "not run"
        else:
            error = f"damaged in transit: {out.damaged}" if out.damaged else None
        return ProbeRecord(
            name=p.name,
            command=batch.command_line(p.argv),
            exit_code=out.exit_code if out else None,
            ok=out is not None and out.exit_code in (0, None) and out.damaged is None,
            bytes=out.size if out else 0,
            error=error,
            wave=wave,
            stream=stream,
        )
