"""``msgscan agent``: rounds on a schedule, new phones between rounds, state that survives.

One agent per state directory (an ``flock`` on ``agent.lock``: the kernel drops it when the
process dies, so a crash never leaves a stale lock). SIGTERM and SIGINT end the current round
within 10 s (open connections are cut; what was scanned is kept); SIGHUP reloads the config and
the policy, keeping the old ones (and logging why) when the new ones are bad. A heartbeat logs
what the agent costs (psutil). Rounds come from APScheduler (interval or cron, with jitter); a
watcher adds phones that appear between rounds (USB every ``[usb] poll``, and new lines in the TCP
inventory file) and scans them at once.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
import structlog

from checks.errors import MsgscanError
from reports.render.json import JsonRenderer
from scanner.app.agent import targets as found
from scanner.app.agent.addresses import Addresses
from scanner.app.agent.attestations import policy_for_round
from scanner.app.agent.delivery import Delivery
from scanner.app.agent.heartbeat import process_figures
from scanner.app.agent.inventory import all_endpoints
from scanner.app.agent.once import RoundReport, not_scanned
from scanner.app.agent.recorder import DEVICE_STATES, Recorder
from scanner.app.agent.retention import prune_all, statement
from scanner.app.agent.round import Limits, Openers, PhoneOutcome, run_round
from scanner.app.agent.rows import DeviceState, Via
from scanner.app.agent.schedule import background
from scanner.app.agent.settings import AgentConfig, processes_for
from scanner.app.agent.startup import AgentLocked, load_config, load_key, load_policy, lock, naming
from scanner.app.agent.state import State
from scanner.app.agent.summary import SUMMARY_FILE, write_summary
from scanner.app.agent.workers import KeptWorkers
from scanner.app.scan import device_name, hide

log = structlog.get_logger("msgscan.agent")


__all__ = [
    "SUMMARY_FILE",
    "Agent",
    "AgentLocked",
    "RoundReport",
    "load_config",
    "load_key",
    "load_policy",
    "lock",
    "naming",
]


class Agent:
    def __init__(self, config_path: Path, *, usb_backend: Any = None, signer: Any = None) -> None:
        self.config_path = config_path
        self.config = load_config(config_path)
        self.policy = load_policy(self.config)
        self.signing_key = load_key(self.config)
        self._lock = lock(self.config.agent.state_dir)
        try:
            self.state = State.open(self.config.agent.database)
        except MsgscanError as e:  # e.g. a database path the config points at badly
            self._lock.close()
            raise naming(e, self.config.source) from None
        self.addresses = Addresses(self.config.agent.state_dir)
        try:
            self.delivery = self._delivery(self.config)  # a missing token variable stops here
        except MsgscanError as e:
            self.state.close()
            self._lock.close()
            raise naming(e, self.config.source) from None
        except BaseException:
            self.state.close()
            self._lock.close()
            raise
        self.usb_backend = usb_backend
        if signer is None:
            from scanner.transport.keys import load_or_create_signer

            signer = load_or_create_signer()
        self.signer = signer
        self.stop = threading.Event()
        self.round_due = threading.Event()
        self.reload_due = threading.Event()
        self._scan_lock = threading.Lock()
        self._busy: set[str] = set()
        self.kept_workers: KeptWorkers | None = None  # ``serve``'s, kept across its rounds
        self.last_round: RoundReport | None = None
        self.inventory_problems: list[str] = []
        self.rounds = 0

    def _delivery(self, config: AgentConfig) -> Delivery:
        return Delivery.from_config(config.destinations, config.source, self.state)

    # --- one round -----------------------------------------------------------------------------

    def endpoints(self) -> tuple[tuple[str, int], ...]:
        """The configured endpoints and the inventory file's good lines; the inventory's
        problems (an unreadable file, each bad line by number) go to ``inventory_problems``."""
        tcp = self.config.tcp
        endpoints, problems = all_endpoints(tcp, self.config.source)
        if problems != self.inventory_problems:  # logged when they change, not every poll
            for problem in problems:
                log.warning("inventory.problem", file=str(tcp.inventory_file), problem=problem)
        self.inventory_problems = problems
        return endpoints

    def _openers(self) -> Openers:
        s = self.config.scan
        return Openers(
            self.signer,
            Limits(
                timeout_s=s.timeout.total_seconds(),
                connect_timeout_s=s.connect_timeout.total_seconds(),
                auth_timeout_s=s.auth_timeout.total_seconds(),
                pseudonymize=self.config.agent.pseudonymize,
            ),
        )

    def scan_round(
        self,
        only: list[found.Target] | None = None,
        *,
        watch: Callable[[int, Callable[[PhoneOutcome], None]], Callable[[PhoneOutcome], None]]
        | None = None,
    ) -> RoundReport:
        """One round over every reachable phone (or just ``only``, for phones that just appeared).

        ``watch(total, record)`` may wrap the per-phone recorder, e.g. to show progress.
        """
        started = time.monotonic()
        cfg = self.config
        if only is None:
            targets, sightings = found.find(
                usb=cfg.usb.enabled,
                use_server=cfg.adb_server.use,
                endpoints=self.endpoints(),
                usb_backend=self.usb_backend,
            )
        else:
            targets, sightings = only, []
        with self._scan_lock:
            targets = [t for t in targets if t.id not in self._busy]
            self._busy.update(t.id for t in targets)
        try:
            now = datetime.now(UTC)
            round_id = self.state.begin_round(now) if only is None else None
            for s in sightings:
                state = s.state if s.state in DEVICE_STATES else "error"
                name = self._name(s.id)
                self.state.seen_device(
                    name,
                    via=Via(s.via),
                    state=DeviceState(state),
                    at=now,
                    error=hide(s.detail, s.id, name) or None,
                )
            drift: dict[str, Any] = {}
            firsts: set[str] = set()
            delivery = self.delivery  # a reload mid-round replaces it for the next round
            round_policy = policy_for_round(self.policy, self.state, self.signing_key)
            off = frozenset(c for c, o in round_policy.overrides.items() if o.disabled)
            on_phone: Callable[[PhoneOutcome], None] = Recorder(
                self.state, self.addresses, delivery, self._name, round_id, drift, firsts, off
            )
            if watch is not None:
                on_phone = watch(len(targets), on_phone)
            outcome = run_round(
                targets,
                sightings,
                policy=round_policy,
                openers=self._openers(),
                concurrency=cfg.scan.concurrency,
                processes=processes_for(cfg.scan.processes, len(targets)),
                kept=self.kept_workers,
                keep_report=bool(delivery.destinations),
                reports_dir=cfg.agent.reports_dir,
                on_phone=on_phone,
                stop=self.stop,
                renderer=JsonRenderer(
                    key=self.signing_key, retention=statement(cfg.agent, now.date()), compact=True
                ),
            )
        finally:
            with self._scan_lock:
                self._busy.difference_update(t.id for t in targets)
            self.addresses.flush()  # what the round learnt, in addresses.json once
        failed = sum(1 for p in outcome.phones if p.failed)
        scanned = sum(1 for p in outcome.phones if p.state == "scanned")
        finished = datetime.now(UTC)
        if round_id is not None:
            self.state.finish_round(
                round_id,
                finished,
                devices_seen=len(targets) + len(sightings),
                scanned=scanned,
                failed=failed,
            )
            prune_all(self.state, cfg.agent, finished, {SUMMARY_FILE})
        write_summary(
            self.state,
            cfg.agent.reports_dir / SUMMARY_FILE,
            generated=finished,
            interrupted=outcome.interrupted,
            drift=drift,
            first_scans=firsts,
            addresses={d: a for a, d in self.addresses.by_address.items()},
            key=self.signing_key,
        )
        report = RoundReport(
            outcome,
            failed,
            time.monotonic() - started,
            not_scanned=not_scanned(outcome, self.inventory_problems, self._name),
        )
        if only is None:
            self.last_round = report
            self.rounds += 1
            self.delivery.report_health(rounds=self.rounds, devices_seen=len(self.state.devices()))
        log.info(
            "round.done",
            phones=len(targets),
            sightings=len(sightings),
            scanned=scanned,
            failed_phones=failed,
            seconds=round(report.seconds, 2),
            interrupted=outcome.interrupted,
            partial=only is not None,
        )
        return report

    # --- the service ----------------------------------------------------------------------------

    def reload(self) -> None:
        try:
            config = load_config(self.config_path)
            policy = load_policy(config)
            key = load_key(config)
        except MsgscanError as e:
            log.error(
                "config.reload_failed", problem=e.problem, hint=e.hint, kept="previous config"
            )
            return
        if (
            config.agent.state_dir != self.config.agent.state_dir
            or config.agent.database != self.config.agent.database
        ):
            log.error(
                "config.reload_failed",
                problem="state_dir and database cannot change while running",
                kept="previous config",
            )
            return
        if config.destinations != self.config.destinations:
            try:
                delivery = self._delivery(config)
            except MsgscanError as e:
                log.error(
                    "config.reload_failed", problem=e.problem, hint=e.hint, kept="previous config"
                )
                return
            self.delivery.close()
            self.delivery = delivery
            delivery.start()
        else:
            for sender in self.delivery.senders.values():
                sender.resume()  # a fixed token or URL: try a paused destination again
        self.config, self.policy, self.signing_key = config, policy, key
        log.info("config.reloaded", source=config.source, digest=config.digest)

    def heartbeat(self) -> dict[str, Any]:
        figures = process_figures(psutil.Process())
        figures |= {
            "devices_seen": len(self.state.devices()),
            "rounds": self.rounds,
            "last_round_s": round(self.last_round.seconds, 2) if self.last_round else None,
        }
        log.info("agent.heartbeat", **figures)
        self.delivery.report_health(
            rounds=self.rounds,
            devices_seen=figures["devices_seen"],
            last_round_s=figures["last_round_s"],
            force=False,
        )
        return figures

    def _name(self, device_id: str) -> str:
        return device_name(device_id, self.policy, self.config.agent.pseudonymize)

    def _watch(self) -> None:
        """Scan phones that appear between rounds: on USB, at the adb server, new inventory
        lines."""

        def attached() -> dict[str, found.Target]:
            return found.present(
                usb=self.config.usb.enabled,
                use_server=self.config.adb_server.use,
                usb_backend=self.usb_backend,
            )

        known_attached = attached()
        known_tcp = set(self.endpoints())
        while not self.stop.wait(self.config.usb.poll.total_seconds()):
            now_attached = attached()
            new = [t for i, t in sorted(now_attached.items()) if i not in known_attached]
            known_attached = now_attached
            now_tcp = set(self.endpoints())
            new += [found.Target(f"{h}:{p}", "tcp", h, p) for h, p in sorted(now_tcp - known_tcp)]
            known_tcp = now_tcp
            if new:
                log.info("phones.appeared", devices=[self._name(t.id) for t in new])
                try:
                    self.scan_round(only=new)
                except MsgscanError as e:
                    log.error("scan.failed", problem=e.problem)
                except Exception as e:  # a bug must not silently end hotplug: log it, go on
                    log.exception("scan.crashed", error=f"{type(e).__name__}: {e}")

    def _schedule(self) -> Any:
        sched = self.config.schedule
        return background(sched.trigger, sched.jitter, self.round_due.set)

    def _control(self, scheduler_box: list[Any]) -> None:
        """Reloads and heartbeats, on their own thread so a long round delays neither."""
        next_beat = time.monotonic()
        while not self.stop.wait(0.2):
            if self.reload_due.is_set():
                self.reload_due.clear()
                self.reload()
                scheduler_box[0].shutdown(wait=False)
                scheduler_box[0] = self._schedule()
                scheduler_box[0].start()
            if time.monotonic() >= next_beat:
                self.heartbeat()
                next_beat = time.monotonic() + self.config.agent.heartbeat_seconds

    def serve(self) -> int:
        """Run until SIGTERM / SIGINT; a first round at once, then on the schedule."""
        if threading.current_thread() is threading.main_thread():  # embedded callers use .stop
            signal.signal(signal.SIGTERM, lambda *_: self.stop.set())
            signal.signal(signal.SIGINT, lambda *_: self.stop.set())
            signal.signal(signal.SIGHUP, lambda *_: self.reload_due.set())
        self.kept_workers = KeptWorkers()
        scheduler_box = [self._schedule()]
        scheduler_box[0].start()
        self.delivery.start()
        helpers = [
            threading.Thread(target=self._watch, name="msgscan-watch", daemon=True),
            threading.Thread(
                target=self._control, args=(scheduler_box,), name="msgscan-control", daemon=True
            ),
        ]
        for t in helpers:
            t.start()
        self.round_due.set()
        log.info(
            "agent.started", config=str(self.config_path), state=str(self.config.agent.database)
        )
        try:
            while not self.stop.is_set():
                if self.round_due.is_set():
                    self.round_due.clear()
                    self.scan_round()
                self.stop.wait(0.2)
        finally:
            self.stop.set()
            scheduler_box[0].shutdown(wait=False)
            for t in helpers:
                t.join(timeout=2)
            self.close()
        log.info("agent.stopped")
        return 0

    def close(self) -> None:
        if self.kept_workers is not None:
            self.kept_workers.close()
        self.delivery.close()
        self.state.close()
        self._lock.close()
