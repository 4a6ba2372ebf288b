"""msgscan's enums built by ``checks.enums`` are the classes ``enum.Enum`` / ``enum.IntEnum``
builds from the same body (issue 18 item 1, session 27: bench/RESULTS.md, "Start-up")."""

from __future__ import annotations

import ast
import enum
import importlib
import pickle
from pathlib import Path
from typing import Any

import msgspec
import pytest

from checks import enums

ROOT = Path(__file__).resolve().parents[2]

FAST = {
    "checks.owners": ("OwnerKind", "ProfileKind"),
    "checks.findings": ("Status", "Severity"),
    "checks.policy": ("DeviceRole",),
    "checks.facts": ("Encryption", "UserKind", "OpMode", "EvidenceKind"),
    "checks.catalog": ("Build", "Archives", "Edition"),
    "checks.advisories": ("SourceKind",),
    "reports.i18n.texts": ("Lang",),
    "scanner.app.cli.output": ("OutputFormat",),
    "scanner.app.cli.exits": ("ExitCode",),
    "reports.integrity": ("Outcome",),
}
"""Every enum a replay builds (session 27's tracer), by module, and ``msgspec verify``'s."""

CLASSES = [
    getattr(importlib.import_module(module), name)
    for module, names in FAST.items()
    for name in names
]


def twin(fast: Any) -> Any:
    """The class ``enum.EnumType`` builds the usual way from ``fast``'s body."""
    root = enum.IntEnum if issubclass(fast, int) else enum.Enum
    body = enum.EnumType.__prepare__(fast.__name__, (root,))
    for key, value in enums.BODIES[fast].items():
        body[key] = value  # _EnumDict's checks run here: a name given twice raises
    return enum.EnumType(fast.__name__, (root,), body)


def plain(value: Any) -> Any:
    """``value`` with each enum member as its name: two classes' dicts compared entry by entry."""
    if isinstance(value, enum.Enum):
        return ("member", value.name)
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


@pytest.mark.parametrize("fast", CLASSES, ids=lambda c: c.__name__)
def test_each_class_dict_is_the_usual_one(fast: Any) -> None:
    """Beyond ``_test_simple_enum``: the same entries, each member in the class's dict (an
    attribute look-up, not a redirect to ``_member_map_``), the same docstring, methods,
    member maps and lists."""
    usual = twin(fast)
    assert set(vars(fast)) == set(vars(usual))
    for key, value in vars(usual).items():
        assert plain(vars(fast)[key]) == plain(value), key
    for name in fast.__members__:
        assert type(vars(fast)[name]) is fast and vars(fast)[name] is fast[name]


@pytest.mark.parametrize("fast", CLASSES, ids=lambda c: c.__name__)
def test_each_enum_is_the_one_enum_builds(fast: Any) -> None:
    assert fast in enums.BODIES
    usual = twin(fast)
    enum._test_simple_enum(usual, fast)  # type: ignore[attr-defined]  # raises on a difference
    assert type(fast) is type(usual) is enum.EnumType
    assert fast.__mro__[1:] == usual.__mro__[1:]
    assert [(m.name, m.value) for m in fast] == [(m.name, m.value) for m in usual]
    assert list(fast.__members__) == list(usual.__members__)
    for member in fast:
        assert fast(member.value) is member
        assert fast[member.name] is member
        assert repr(member).replace(fast.__qualname__, "X") == repr(usual[member.name]).replace(
            usual.__qualname__, "X"
        )
        assert str(member) == str(usual[member.name])
        assert format(member) == format(usual[member.name])
        assert pickle.loads(pickle.dumps(member)) is member
        assert msgspec.json.decode(msgspec.json.encode(member), type=fast) is member
    with pytest.raises(ValueError):
        fast(object())


def test_the_list_is_every_enum_built_here() -> None:
    """A new ``FastEnum`` of a replay's modules is named above (and so checked)."""
    assert set(enums.BODIES) >= set(CLASSES)
    assert {c for c in enums.BODIES if c.__module__ in FAST} == set(CLASSES)


def test_no_body_gives_a_name_twice_or_what_enum_checks_per_member() -> None:
    """What ``enum.Enum``'s class body refuses and a plain body keeps silently (a member name
    given twice: the last wins), or what the plain build treats differently (``auto()``,
    ``_sunder_`` names, ``_ignore_``), is in no ``FastEnum`` body of msgscan's source."""
    seen = 0
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] not in ("checks", "scanner", "reports"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            bases = [ast.unparse(b) for b in node.bases] if isinstance(node, ast.ClassDef) else []
            if not {"FastEnum", "FastIntEnum"} & set(bases):
                continue
            assert isinstance(node, ast.ClassDef)
            seen += 1
            names = [
                target.id
                for item in node.body
                if isinstance(item, ast.Assign)
                for target in item.targets
                if isinstance(target, ast.Name)
            ]
            where = f"{path}:{node.lineno}"
            assert len(names) == len(set(names)), where
            assert not [n for n in names if n.startswith("_")], where
            assert "auto(" not in ast.unparse(node), where
    assert seen == len(CLASSES)


def test_an_int_enum_compares_as_its_int() -> None:
    from scanner.app.cli.exits import ExitCode

    assert ExitCode.FAILED == 1 and int(ExitCode.CLOSED_PIPE) == 141
    assert isinstance(ExitCode.OK, int) and isinstance(ExitCode.OK, enum.IntEnum)


def test_without_simple_enum_the_usual_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(enums, "_simple", None)

    class Plain(enums.FastEnum):
        A = "a"
        B = "b"

    assert Plain not in enums.BODIES
    assert type(Plain) is enum.EnumType and Plain.__mro__[1] is enum.Enum
    assert [m.value for m in Plain] == ["a", "b"] and Plain("b") is Plain.B
