"""The mutants of a Python file: where each operator applies, and the source with one applied.

Used by ``bench/mutation.py`` (which says what each operator does). Pure: nothing here runs tests.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_FLIPS: dict[type[ast.cmpop], list[type[ast.cmpop]]] = {
    ast.Eq: [ast.NotEq],
    ast.NotEq: [ast.Eq],
    ast.Lt: [ast.GtE, ast.LtE],
    ast.GtE: [ast.Lt, ast.Gt],
    ast.Gt: [ast.LtE, ast.GtE],
    ast.LtE: [ast.Gt, ast.Lt],
    ast.In: [ast.NotIn],
    ast.NotIn: [ast.In],
    ast.Is: [ast.IsNot],
    ast.IsNot: [ast.Is],
}
_SYMBOL = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}
_STRING_METHODS = {
    "startswith",
    "endswith",
    "split",
    "rsplit",
    "partition",
    "rpartition",
    "get",
    "removeprefix",
    "removesuffix",
    "strip",
    "rstrip",
    "lstrip",
    "find",
    "rfind",
    "index",
    "count",
    "replace",
    "compile",
    "match",
    "fullmatch",
    "search",
    "finditer",
    "findall",
    "sub",
    "setdefault",
    "pop",
}
_LOGGERS = {"log", "logger", "logging", "warnings"}
_REMOVABLE = (
    ast.Expr,
    ast.Assign,
    ast.AugAssign,
    ast.AnnAssign,
    ast.Raise,
    ast.Break,
    ast.Continue,
    ast.Delete,
)


@dataclass(frozen=True, slots=True)
class Mutant:
    path: str
    """Relative to the repository root."""
    index: int
    """Position of the node in ``ast.walk`` order of the file's parse."""
    op: str
    line: int
    col: int
    detail: str

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}:{self.col}:{self.op}"


def enum_members(roots: list[Path]) -> dict[str, list[str]]:
    """``{enum class name: [member, …]}`` for every Enum subclass defined under ``roots``."""
    members: dict[str, list[str]] = {}
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef) and any(
                    (isinstance(b, ast.Name) and b.id.endswith("Enum"))
                    or (isinstance(b, ast.Attribute) and b.attr.endswith("Enum"))
                    for b in node.bases
                ):
                    names = [
                        t.id
                        for s in node.body
                        if isinstance(s, ast.Assign)
                        for t in s.targets
                        if isinstance(t, ast.Name) and t.id.isupper()
                    ]
                    if len(names) > 1:
                        members[node.name] = names
    return members


def _untouchable(tree: ast.AST) -> set[int]:
    """ids of nodes never mutated: docstrings, annotations, decorators, log calls, ``__all__``."""
    skip: list[ast.AST] = []
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(getattr(body[0], "value", None), ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            skip.append(body[0])
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            skip += node.decorator_list
        if isinstance(node, ast.ClassDef):  # the class's form, as a decorator: Struct(frozen=True)
            skip += node.keywords
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns:
            skip.append(node.returns)
        if isinstance(node, ast.arg) and node.annotation:
            skip.append(node.annotation)
        if isinstance(node, ast.AnnAssign):
            skip.append(node.annotation)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skip.append(node)  # attribute docstrings
        if isinstance(node, ast.Call) and _is_log_call(node):
            skip.append(node)
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            skip.append(node)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.append(node)
    return {id(n) for s in skip for n in ast.walk(s)}


def _is_log_call(node: ast.Call) -> bool:
    f = node.func
    while isinstance(f, ast.Attribute):
        f = f.value
    return isinstance(f, ast.Name) and f.id in _LOGGERS


def _string_in_logic(parents: dict[int, ast.AST], node: ast.Constant) -> bool:
    """A string the code compares, matches, looks up or searches on (not a text for people)."""
    parent = parents.get(id(node))
    if isinstance(parent, ast.Tuple | ast.Set | ast.List | ast.Dict):
        if isinstance(parent, ast.Dict) and node not in parent.keys:
            return False
        parent = parents.get(id(parent), parent)
    if isinstance(parent, ast.Compare | ast.MatchValue | ast.Subscript):
        return True
    if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Attribute):
        return parent.func.attr in _STRING_METHODS
    return False


def _candidates(
    node: ast.AST, parents: dict[int, ast.AST], enums: dict[str, list[str]]
) -> Iterator[tuple[str, str]]:
    """``(op, detail)`` for each mutation this node allows."""
    if isinstance(node, ast.Compare):
        for k, cmp in enumerate(node.ops):
            for new in _FLIPS.get(type(cmp), []):
                yield f"cmp{k}:{new.__name__}", f"{_SYMBOL[type(cmp)]} -> {_SYMBOL[new]}"
    elif isinstance(node, ast.BoolOp):
        yield "boolop", "and -> or" if isinstance(node.op, ast.And) else "or -> and"
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "not", "not x -> x"
    elif isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool):
            yield "const", f"{v} -> {not v}"
        elif isinstance(v, int | float):
            yield "const", f"{v!r} -> {v + 1!r}"
        elif isinstance(v, str) and _string_in_logic(parents, node):
            yield "const", f"{v!r} -> {_mutated_string(v)!r}"
    elif (
        isinstance(node, ast.Return)
        and node.value is not None
        and not (isinstance(node.value, ast.Constant) and node.value.value is None)
    ):
        yield "return", "return ... -> return None"
    elif (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and isinstance(node.ctx, ast.Load)
        and node.attr in enums.get(node.value.id, [])
    ):
        yield (
            "enum",
            f"{node.value.id}.{node.attr} -> {node.value.id}.{_next_member(enums[node.value.id], node.attr)}",
        )
    if isinstance(node, ast.If | ast.While | ast.IfExp) and not isinstance(
        node.test, ast.Compare | ast.UnaryOp
    ):
        yield "negate", "if x -> if not x"
    if isinstance(node, _REMOVABLE) and _in_function(parents, node):
        parent = parents[id(node)]
        if any(node in getattr(parent, f, ()) for f in ("body", "orelse", "finalbody")):
            yield "remove", f"{type(node).__name__.lower()} removed"


def _in_function(parents: dict[int, ast.AST], node: ast.AST) -> bool:
    """Inside a function body (a module's or class's statements define names: removing one
    only gives a NameError, which every test notices)."""
    while (node := parents.get(id(node))) is not None:  # type: ignore[assignment]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return True
    return False


def _mutated_string(v: str) -> str:
    return v + "X" if v else "X"


def _next_member(members: list[str], name: str) -> str:
    return members[(members.index(name) + 1) % len(members)]


def _parents(tree: ast.AST) -> dict[int, ast.AST]:
    return {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def find_mutants(path: Path, enums: dict[str, list[str]]) -> list[Mutant]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip, parents = _untouchable(tree), _parents(tree)
    rel = str(path.resolve().relative_to(ROOT))
    return [
        Mutant(rel, i, op, getattr(node, "lineno", 0), getattr(node, "col_offset", 0), detail)
        for i, node in enumerate(ast.walk(tree))
        if id(node) not in skip
        for op, detail in _candidates(node, parents, enums)
    ]


def mutate(source: str, mutant: Mutant, enums: dict[str, list[str]]) -> str:
    """The source with ``mutant`` applied."""
    tree = ast.parse(source)
    nodes = list(ast.walk(tree))
    node, parents = nodes[mutant.index], _parents(tree)
    kind = mutant.op.split(":")[0]
    if kind.startswith("cmp"):
        assert isinstance(node, ast.Compare)
        node.ops[int(kind[3:])] = getattr(ast, mutant.op.split(":")[1])()
    elif kind == "boolop":
        assert isinstance(node, ast.BoolOp)
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif kind == "not":
        _replace(parents[id(node)], node, node.operand)  # type: ignore[attr-defined]
    elif kind == "const":
        assert isinstance(node, ast.Constant)
        v = node.value
        node.value = (
            (not v)
            if isinstance(v, bool)
            else v + 1
            if isinstance(v, int | float)
            else _mutated_string(v)
        )
    elif kind == "return":
        node.value = ast.Constant(None)  # type: ignore[attr-defined]
    elif kind == "enum":
        assert isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
        node.attr = _next_member(enums[node.value.id], node.attr)
    elif kind == "negate":
        node.test = ast.UnaryOp(ast.Not(), node.test)  # type: ignore[attr-defined]
    elif kind == "remove":
        _replace(parents[id(node)], node, ast.Pass())
    return ast.unparse(ast.fix_missing_locations(tree))


def _replace(parent: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for name, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, name, new)
            return
        if isinstance(value, list) and any(v is old for v in value):
            value[[i for i, v in enumerate(value) if v is old][0]] = new
            return
    raise ValueError(f"{old} not under {parent}")
