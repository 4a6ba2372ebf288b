"""Phones that are not who they seem (session 23): two phones under one id in a round, and a
phone swapped behind the same address or serial. Neither may resolve the other's findings:
a resolved finding that was never fixed is a false pass in the history."""

from __future__ import annotations

import json
from pathlib import Path

from scanner.app.agent import history
from scanner.app.agent.identity import describe
from scanner.app.agent.service import Agent
from scanner.app.agent.summary import _merged, worst
from scanner.simphone import AuthPolicy, PhoneServer
from tests.scanner.app.agent.test_agent import (  # noqa: F401
    A14,
    A16,
    SwitchablePhone,
    phones,
    signer,
    start,
    with_telegram,
    write_config,
)
from tests.scanner.app.agent.test_identity import _server, with_serial

CLONE = "CLONE0SERIAL42"  # cheap phones and clones share one serial
TELEGRAM = "MSG-07|org.telegram.messenger|0"


def _open(agent: Agent, device: str) -> dict[str, str]:
    return {str(k): t.lifecycle.value for k, t in agent.state.previous(device).items()}


def _round(config: Path, signer) -> Agent:  # type: ignore[no-untyped-def]  # noqa: F811
    agent = Agent(config, signer=signer)
    agent.scan_round()
    return agent


def _summary(tmp_path: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((tmp_path / "state" / "reports" / "fleet-summary.json").read_text())


def test_two_phones_with_one_serial_in_a_round_resolve_nothing(
    tmp_path: Path, phones: list[PhoneServer], signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    """The same model twice (a Pixel 7a with Telegram, one without) answering as one serial: the
    clean one must not resolve the other's Telegram finding, in whichever order they finish."""
    with_tg = start(phones, _server(with_serial(with_telegram(), CLONE)))
    config = write_config(tmp_path, [with_tg.address])
    agent = _round(config, signer)
    try:
        assert _open(agent, CLONE)[TELEGRAM] == "new"
    finally:
        agent.close()
    clean = start(phones, _server(with_serial(A14, CLONE)))
    write_config(tmp_path, [with_tg.address, clean.address])
    for n in range(2):  # the round the second phone appears, and the one after
        agent = Agent(config, signer=signer)
        try:
            report = agent.scan_round()
            # `--once` exits 3: both twins are named as not done
            named = [r for r in report.not_scanned if ": ambiguous (two phones answered as" in r]
            assert len(named) == len(report.not_scanned) == 2, report.not_scanned
            rows = agent.state.previous(CLONE)
            scans = agent.state.history(CLONE, limit=2)
            devices = {d.id: d for d in agent.state.devices()}
        finally:
            agent.close()
        key = next(k for k in rows if str(k) == TELEGRAM)
        assert rows[key].open, f"round {n + 2}: the clean clone resolved the other's finding"
        assert [str(s.state) for s in scans] == ["ambiguous", "ambiguous"], n
        assert all("answered as" in (s.error or "") for s in scans), scans
        assert str(devices[CLONE].last_state) == "ambiguous"
        summary = _summary(tmp_path)
        row = next(d for d in summary["devices"] if d["device"] == CLONE)
        assert row["state"] == "ambiguous" and "answered as" in row["error"]
        assert row["drift"] == {"new": [], "changed": [], "resolved": []}
        # its columns are the worst of both phones' reports, never one twin's passes
        both = [worst(json.loads(Path(p).read_text())) for p in (s.report_path for s in scans)
                if p]
        assert row["checks"] == _merged(*both) and len(both) == 2
        # each phone got its own report: two files, neither overwrote the other
        paths = {s.report_path for s in scans}
        assert len(paths) == 2 and all(p and Path(p).is_file() for p in paths), paths

def test_a_clean_round_after_the_twin_went_continues_the_history(
    tmp_path: Path, phones: list[PhoneServer], signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    """Once only one phone answers as the serial again, its history moves on (after one round
    that confirms the twin is gone) but closes nothing: no scan can show which twin answers (the
    clean clone could be the one left: boot12's SIEM case). The operator's ``--adopt`` says the
    other is gone; then a real fix is resolved (the lead, session 27)."""
    phone = SwitchablePhone(with_serial(with_telegram(), CLONE))
    server = start(phones, PhoneServer(phone, serial="x", product="lynx", model="Pixel 7a",
                                       device="lynx", auth=AuthPolicy(accept_any_key=True)))
    config = write_config(tmp_path, [server.address])
    _round(config, signer).close()  # one phone: Telegram's finding opens
    twin = start(phones, _server(with_serial(A14, CLONE)))
    write_config(tmp_path, [server.address, twin.address])
    _round(config, signer).close()  # two phones as one serial
    twin.stop()
    write_config(tmp_path, [server.address])
    phone.switch(with_serial(A14, CLONE))  # Telegram removed: fixed for real
    states = []
    for adopt_first in (False, False, True, False):
        agent = _round(config, signer) if not adopt_first else Agent(config, signer=signer)
        try:
            if adopt_first:
                history.adopt(agent.state, CLONE)
                agent.scan_round()
            states.append(_open(agent, CLONE).get(TELEGRAM))
            note = agent.state._rows(
                "SELECT error FROM scans WHERE device_id = ? ORDER BY rowid DESC LIMIT 1", (CLONE,)
            )[0][0]
            if len(states) == 2:  # the round after the held one says why and the way out
                assert f"msgscan agent --adopt {CLONE}" in str(note), note
        finally:
            agent.close()
    # the round after the twins changes nothing (the twin may be back); the next closes nothing
    # (open: "new", or "unchanged" when the phone with Telegram was the round's first scan);
    # adopted, its first scan re-bases the identity (closes nothing), the one after it resolves
    assert states[0] in ("new", "unchanged") and states[1] in ("new", "unchanged"), states
    assert states[2] in ("new", "unchanged") and states[3] == "resolved", states


def test_a_swapped_phone_does_not_resolve_the_old_phones_findings(
    tmp_path: Path, phones: list[PhoneServer], signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    """Behind one address, a Samsung with WhatsApp and Telegram is replaced by a Pixel without
    them: the Samsung's failures stay open (under a retired id), the Pixel starts a new history,
    and the summary says so."""
    phone = SwitchablePhone(A16)
    server = start(phones, PhoneServer(phone, serial="x", product="pa2q", model="SM-S936B",
                                       device="pa2q", auth=AuthPolicy(accept_any_key=True)))
    config = write_config(tmp_path, [server.address])
    agent = _round(config, signer)
    try:
        before = {k for k, v in _open(agent, server.address).items() if v != "resolved"}
        old_failed = _summary(tmp_path)["devices"][0]["known_failed"]
    finally:
        agent.close()
    assert before and old_failed
    phone.switch(A14)  # another phone answers at the same address
    agent = _round(config, signer)
    try:
        now = _open(agent, server.address)
        devices = {d.id: d for d in agent.state.devices()}
        retired = [d for d in devices if d != server.address]
        kept = _open(agent, retired[0]) if retired else {}
    finally:
        agent.close()
    assert not any(v == "resolved" for k, v in now.items() if k in before), now
    assert len(retired) == 1, devices
    assert {k for k, v in kept.items() if v != "resolved"} == before  # nothing lost, none resolved
    assert str(devices[retired[0]].last_state) == "replaced"
    assert "SM-S936B" in (devices[retired[0]].last_error or "")
    assert "Pixel 7a" in (devices[retired[0]].last_error or "")
    summary = _summary(tmp_path)
    rows = {d["device"]: d for d in summary["devices"]}
    assert rows[server.address]["first_scan"] and rows[server.address]["model"] == "Pixel 7a"
    assert rows[retired[0]]["known_failed"] == old_failed and rows[retired[0]]["stale"]
    assert rows[retired[0]]["state"] == "replaced"
    assert summary["totals"]["resolved"] == 0
    from reports.i18n import Lang
    from reports.render.fleet_html import render_fleet

    page = render_fleet(summary).decode()
    assert "replaced (another phone answers as this id now)" in page and "SM-S936B" in page
    assert "ersetzt (unter dieser Kennung" in render_fleet(summary, Lang.DE).decode()


def test_the_same_phone_again_is_no_swap(
    tmp_path: Path, phones: list[PhoneServer], signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    """Updated or not, the same model behind the address continues its history."""
    phone = SwitchablePhone(with_telegram())
    server = start(phones, PhoneServer(phone, serial="x", product="lynx", model="Pixel 7a",
                                       device="lynx", auth=AuthPolicy(accept_any_key=True)))
    config = write_config(tmp_path, [server.address])
    _round(config, signer).close()
    phone.switch(A14)
    agent = _round(config, signer)
    try:
        assert _open(agent, server.address)[TELEGRAM] == "resolved"
        (device,) = agent.state.devices()
        assert device.id == server.address
        assert describe(device.trait) == "Google Pixel 7a (lynx)"  # kept from the first scan
    finally:
        agent.close()


def with_prop(rec, name: str, value: str):  # type: ignore[no-untyped-def]
    """The recording with one getprop property's value changed."""
    import re

    from msgspec.structs import replace

    def change(out: bytes) -> bytes:
        return re.sub(rb"\[" + re.escape(name.encode()) + rb"\]: \[[^\]]*\]",
                      b"[" + name.encode() + b"]: [" + value.encode() + b"]", out)

    commands = tuple(replace(c, stdout=change(c.stdout)) if c.argv[:1] == ("getprop",) else c
                     for c in rec.commands)
    return replace(rec, commands=commands)


def test_the_same_model_name_on_other_hardware_is_a_swap(
    tmp_path: Path, phones: list[PhoneServer], signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    """Two phones sold under one model name (a regional variant) with other hardware code
    names: the device part of the trait tells them apart, and nothing is resolved."""
    phone = SwitchablePhone(with_telegram())
    server = start(phones, PhoneServer(phone, serial="x", product="lynx", model="Pixel 7a",
                                       device="lynx", auth=AuthPolicy(accept_any_key=True)))
    config = write_config(tmp_path, [server.address])
    _round(config, signer).close()
    phone.switch(with_prop(A14, "ro.product.device", "tangorpro"))
    agent = _round(config, signer)
    try:
        assert TELEGRAM not in _open(agent, server.address)
        assert _open(agent, f"{server.address}~1")[TELEGRAM] == "new"  # kept open, not resolved
    finally:
        agent.close()


def test_an_old_state_without_traits_still_notices_a_swap_by_its_model(
    tmp_path: Path, phones: list[PhoneServer], signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    """A device row from before schema 4 holds the model only: another model answering is a
    swap, the same model is not."""
    import sqlite3

    phone = SwitchablePhone(with_telegram())
    server = start(phones, PhoneServer(phone, serial="x", product="lynx", model="Pixel 7a",
                                       device="lynx", auth=AuthPolicy(accept_any_key=True)))
    config = write_config(tmp_path, [server.address])
    _round(config, signer).close()

    def upgraded() -> None:
        db = sqlite3.connect(tmp_path / "state" / "msgscan.db")
        db.execute("UPDATE devices SET trait = NULL")  # what the migration leaves in an old row
        db.commit()
        db.close()

    upgraded()
    agent = _round(config, signer)  # the same model: no swap, and the trait is kept now
    try:
        assert [d.id for d in agent.state.devices()] == [server.address]
        assert describe(lineage_device(agent, server.address).trait) == "Google Pixel 7a (lynx)"
    finally:
        agent.close()
    upgraded()
    phone.switch(A16)  # a Samsung
    agent = _round(config, signer)
    try:
        assert _open(agent, f"{server.address}~1")[TELEGRAM] == "unchanged"  # open, kept
        assert "Pixel 7a" in (lineage_device(agent, f"{server.address}~1").last_error or "")
    finally:
        agent.close()


def lineage_device(agent: Agent, device: str):  # type: ignore[no-untyped-def]
    return next(d for d in agent.state.devices() if d.id == device)


def _events(tmp_path: Path) -> list[dict]:  # type: ignore[type-arg]
    path = tmp_path / "events" / "findings.ndjson"
    lines = path.read_text().splitlines() if path.exists() else []
    return [e for e in map(json.loads, lines) if e["class_uid"] == 2003]


def _with_file_destination(config: Path) -> Path:
    config.write_text(config.read_text() + '[destinations.findings]\ntype = "file"\n'
                      'path = "events/findings.ndjson"\nheartbeat = "7d"\n')
    return config


def test_siem_keeps_a_swapped_phones_failures_open_and_says_why(
    tmp_path: Path, phones: list[PhoneServer], signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    """The swap sends no Close for the earlier phone's findings; its open ones are created again
    under the finding uids they had (session 24: the new phone's are its own, test_lineage_s24),
    their evidence naming the swap and the retired id."""
    phone = SwitchablePhone(A16)
    server = start(phones, PhoneServer(phone, serial="x", product="pa2q", model="SM-S936B",
                                       device="pa2q", auth=AuthPolicy(accept_any_key=True)))
    config = _with_file_destination(write_config(tmp_path, [server.address]))

    def round_events() -> list[dict]:  # type: ignore[type-arg]
        before = len(_events(tmp_path))
        agent = Agent(config, signer=signer)
        try:
            agent.scan_round()
            assert agent.delivery.flush(10)
            open_keys = {str(r.tracked.key) for r in agent.state.open_findings(server.address)}
        finally:
            agent.close()
        return [*_events(tmp_path)[before:], {"open": open_keys}]

    *first, opened = round_events()
    assert first and all(e["activity_name"] == "Create" for e in first)
    phone.switch(A14)
    *swap, _ = round_events()
    closes = [e for e in swap if e["activity_name"] == "Close"]
    assert closes == [], [e["message"] for e in closes]
    retired = [e for e in swap
               if f"{server.address}~1" in " ".join(e["compliance"]["status_details"])]
    assert len(retired) == len(opened["open"]) and retired
    assert all(e["activity_name"] == "Create" for e in retired)
    assert all("SM-S936B" in " ".join(e["compliance"]["status_details"]) for e in retired)
    assert {e["finding_info"]["uid"] for e in retired} <= {
        e["finding_info"]["uid"] for e in first}  # the uids the SIEM has for them


def test_siem_hears_nothing_from_twins_and_nothing_closes(
    tmp_path: Path, phones: list[PhoneServer], signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    """Whatever the first twin's scan queued is withdrawn; no event closes the Telegram finding."""
    with_tg = start(phones, _server(with_serial(with_telegram(), CLONE)))
    config = _with_file_destination(write_config(tmp_path, [with_tg.address]))
    agent = _round(config, signer)
    try:
        assert agent.delivery.flush(10)
    finally:
        agent.close()
    before = len(_events(tmp_path))
    clean = start(phones, _server(with_serial(A14, CLONE)))
    _with_file_destination(write_config(tmp_path, [with_tg.address, clean.address]))
    agent = _round(config, signer)
    try:
        assert agent.delivery.flush(10)
    finally:
        agent.close()
    later = _events(tmp_path)[before:]
    assert [e["message"] for e in later if e["activity_name"] == "Close"] == []


def test_a_close_that_went_out_before_the_twin_came_is_opened_again(
    tmp_path: Path, phones: list[PhoneServer], signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    """One phone at a time, senders running: the clean twin's Close of Telegram's finding is
    delivered before the other twin answers; then the finding is created again, saying why."""
    with_tg = start(phones, _server(with_serial(with_telegram(), CLONE)))
    config = _with_file_destination(write_config(tmp_path, [with_tg.address]))
    agent = _round(config, signer)
    try:
        assert agent.delivery.flush(10)
    finally:
        agent.close()
    before = len(_events(tmp_path))
    clean = start(phones, _server(with_serial(A14, CLONE)))
    _with_file_destination(write_config(tmp_path, [clean.address, with_tg.address]))
    config.write_text(config.read_text().replace("concurrency = 8", "concurrency = 1"))
    agent = Agent(config, signer=signer)
    try:
        agent.delivery.start()
        first_done: list[float] = []

        def wait_for_delivery(total: int, record):  # type: ignore[no-untyped-def]
            def each(phone):  # type: ignore[no-untyped-def]
                record(phone)
                if not first_done:  # let the sender deliver the first twin's events
                    first_done.append(1.0)
                    for _ in range(100):
                        if any(e["activity_name"] == "Close" for e in _events(tmp_path)[before:]):
                            break
                        import time

                        time.sleep(0.05)
            return each

        agent.scan_round(watch=wait_for_delivery)
        assert agent.delivery.flush(10)
        rows = agent.state.previous(CLONE)
    finally:
        agent.close()
    # at least once: a sender thread and the flush may both deliver an event (one uid)
    once = {e["metadata"]["uid"]: e for e in _events(tmp_path)[before:]}
    later = [e for e in once.values() if "org.telegram.messenger" in e["message"]
             and e["metadata"]["event_code"] == "MSG-07"]
    assert [e["activity_name"] for e in later] == ["Close", "Create"], later
    assert "answered as" in " ".join(later[1]["compliance"]["status_details"])
    assert later[0]["finding_info"]["uid"] == later[1]["finding_info"]["uid"]
    assert next(t for k, t in rows.items() if str(k) == TELEGRAM).open


def without_product(rec):  # type: ignore[no-untyped-def]
    """The recording with getprop's ro.product.* lines cut (a garbled or stripped getprop)."""
    from msgspec.structs import replace

    def cut(out: bytes) -> bytes:
        return b"".join(line for line in out.splitlines(keepends=True)
                        if not line.startswith(b"[ro.product."))

    commands = tuple(replace(c, stdout=cut(c.stdout)) if c.argv[:1] == ("getprop",) else c
                     for c in rec.commands)
    return replace(rec, commands=commands)


def test_a_phone_that_names_no_model_resolves_nothing(
    tmp_path: Path, phones: list[PhoneServer], signer  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    """A phone with a known trait, then a scan whose getprop names no model: that scan cannot
    show it is the same phone, so nothing it passes is resolved; the next scan that names the
    same model resolves it."""
    phone = SwitchablePhone(with_telegram())
    server = start(phones, PhoneServer(phone, serial="x", product="lynx", model="Pixel 7a",
                                       device="lynx", auth=AuthPolicy(accept_any_key=True)))
    config = write_config(tmp_path, [server.address])
    seen = []
    for rec in (with_telegram(), without_product(A14), A14):
        phone.switch(rec)
        agent = _round(config, signer)
        try:
            seen.append(_open(agent, server.address).get(TELEGRAM))
            devices = [d.id for d in agent.state.devices()]
        finally:
            agent.close()
    assert seen == ["new", "new", "resolved"], seen
    assert devices == [server.address]
