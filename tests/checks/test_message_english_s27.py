"""``Message.english`` filled once a message (session 27, agent12): the judging asked most
messages two or three times (hashed in ``dict.fromkeys``, as an evidence's text, inside another
message). What is kept must be what a fresh fill gives, and no copy, comparison, hash, pickle
or encoding may carry or see it."""

from __future__ import annotations

import pickle

import msgspec
from msgspec.structs import replace

from checks.findings import Evidence, Message, fill, say, say_n


def _fresh(m: Message) -> str:
    template = m.plural if m.plural is not None and m.params.get("n") != 1 else m.template
    from checks.findings import _english_value

    return fill(template, m.params, _english_value)


def test_the_english_kept_is_the_fill_and_asked_once() -> None:
    inner = say("reach.target", "targets API {api}", api=29)
    m = say("reach.legacy", "{op} granted ({why}: every file)", op="READ", why=inner)
    assert m.english() == _fresh(m) == "READ granted (targets API 29: every file)"
    assert m.english() is m.english()  # the kept one
    many = say_n("x.n", "{n} app", "{n} apps", 2)
    assert many.english() == "2 apps" and say_n("x.n", "{n} app", "{n} apps", 1).english() == (
        "1 app"
    )


def test_a_copy_fills_its_own() -> None:
    m = say("a.b", "{x} here", x="one")
    assert m.english() == "one here"
    other = replace(m, params={"x": "two"})
    assert other.english() == "two here"
    assert m.english() == "one here"


def test_no_comparison_hash_pickle_or_encoding_sees_it() -> None:
    asked = say("a.b", "{x} here", x="one")
    asked.english()
    unasked = say("a.b", "{x} here", x="one")
    assert asked == unasked and hash(asked) == hash(unasked)
    back = pickle.loads(pickle.dumps(asked))
    assert back == asked and back.__dict__ == {}
    assert back.english() == "one here"
    assert msgspec.json.encode(asked) == msgspec.json.encode(unasked)
    assert b"english" not in msgspec.json.encode(Evidence.of(asked, "x"))
    assert msgspec.json.decode(msgspec.json.encode(asked), type=Message).english() == "one here"


def test_the_method_is_not_hidden_by_what_it_keeps() -> None:
    m = say("a.b", "plain")
    assert m.english() == "plain" and callable(m.english)
    assert m.english() == "plain"
