"""``Message.plain_sorted(_plain)`` (session 28) is what a report's evidence wrote before,
``reports.report._plain(message.plain())``: the same keys in the same order and the same values,
on generated messages and on every message the shipped recordings and the large phone judge."""

from __future__ import annotations

import enum
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from checks.facts import Unseen
from checks.findings import Message
from checks.policy import DEFAULT
from reports.report import _plain, build_report
from scanner.recordings.build import large_phone
from scanner.recordings.construct import build
from scanner.replay import ReplayTransport
from tests.reports.scans import RECORDINGS, SHIPPED


class _Kind(enum.StrEnum):
    A = "a"


class _Text(str):
    pass


class _Items(list[Any]):
    pass


_LEAF = st.one_of(
    st.text(max_size=4), st.integers(), st.booleans(), st.none(), st.floats(),
    st.sampled_from([_Kind.A, date(2026, 1, 2), datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
                     datetime(2026, 1, 2, 3, 4), Unseen("gone"), frozenset({"b", "a"}),
                     _Text("t"), b"raw"]),
)


def _messages(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Message]:
    keys = st.one_of(st.text(max_size=3), st.integers(-3, 3), st.sampled_from(["1", "id"]))
    return st.builds(
        Message, st.sampled_from(["m.a", _Text("m.b")]), st.just("t"),
        st.dictionaries(keys, inner, max_size=4),
    )


_VALUE = st.recursive(
    _LEAF,
    lambda inner: st.one_of(
        _messages(inner),
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.lists(inner, max_size=3).map(_Items),
        st.dictionaries(st.text(max_size=2), inner, max_size=3),
    ),
    max_leaves=20,
)


def _same(message: Message) -> None:
    old, new = _plain(message.plain()), message.plain_sorted(_plain)
    assert json.dumps(new) == json.dumps(old)  # the same keys in the same order, every level
    assert new == old


@settings(max_examples=600, deadline=None)
@given(_messages(_VALUE))
def test_a_generated_message_is_written_as_before(message: Message) -> None:
    _same(message)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_message_of_a_shipped_recording_is_written_as_before(name: str) -> None:
    from scanner import recording
    from scanner.app.scan import scan_result

    result = scan_result(ReplayTransport(recording.load(RECORDINGS / name)), DEFAULT)
    messages = [e.message for f in result.findings for e in f.evidence if e.message]
    assert messages
    for message in messages:
        _same(message)


def test_the_large_phone_report_is_the_one_written_before() -> None:
    rec = build(large_phone(300, 3), model="Pixel 8", product="shiba", device="shiba")
    rec = replace(rec, device=replace(rec.device, serial="MSGSCANPHONE"))
    from scanner.app.scan import scan_result

    result = scan_result(ReplayTransport(rec), DEFAULT)
    messages = [e.message for f in result.findings for e in f.evidence if e.message]
    assert len(messages) > 100 and any(  # nested messages and lists are among them
        isinstance(v, Message | list) for m in messages for v in m.params.values()
    )
    for message in messages:
        _same(message)
    report = build_report(result)
    for finding, written in zip(result.findings, report["findings"], strict=True):
        for evidence, entry in zip(finding.evidence, written["evidence"], strict=True):
            before = {"text": evidence.text, "source": evidence.source,
                      "data": _plain(evidence.data)}
            if evidence.message:
                before |= _plain(evidence.message.plain())
            assert json.dumps(entry) == json.dumps(before)
