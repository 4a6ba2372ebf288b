"""What a parser could not read: counted, described without quoting the phone, never guessed.

Every parser skips what it does not need (vendors add keys, rule 11 of the dumpsys-package
reference). What it *needs* and cannot read — a header whose name is not a name, a value cut
to ``installed=t``, a line holding bytes that are not text — is noted here, so the fact built
from the output can be marked damaged (``Snapshot.damaged``) instead of read as "absent" or
"false". Descriptions quote at most an escaped, shortened name (``names.shown``).
"""

from __future__ import annotations

from msgspec import Struct, field

from scanner.names import shown

__all__ = ["Damage"]

_EXAMPLES = 3


class Damage(Struct):
    lines: int = 0
    """Lines that could not be read."""
    blocks: list[str] = field(default_factory=list)
    """The blocks (packages, users …) those lines belong to, shown escaped, each once."""
    kinds: dict[str, int] = field(default_factory=dict)
    """What was wrong -> how often ("unreadable installed= value": 2)."""
    last_line: int | None = None
    blocks_seen: set[str] = field(default_factory=set)
    """``blocks`` as a set: a note's membership test stays constant (a list made 100,000 damaged
    headers take 95 s)."""

    def note(self, kind: str, block: str | None = None, line: int | None = None) -> None:
        """Count ``kind`` in ``block``; several notes on the same ``line`` count it once."""
        if line is None or line != self.last_line:
            self.lines += 1
        self.last_line = line
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        label = "an unnamed block" if block is None else shown(block)
        if label not in self.blocks_seen:
            self.blocks_seen.add(label)
            self.blocks.append(label)

    def __bool__(self) -> bool:
        return self.lines > 0

    def describe(self, unit: str = "block") -> str | None:
        """One sentence for the report, or None when nothing was damaged."""
        if not self.lines:
            return None
        kinds = ", ".join(f"{kind} ({n})" for kind, n in self.kinds.items())
        named = ", ".join(self.blocks[:_EXAMPLES])
        more = f" and {len(self.blocks) - _EXAMPLES} more" if len(self.blocks) > _EXAMPLES else ""
        lines = "line" if self.lines == 1 else "lines"
        units = unit if len(self.blocks) == 1 else unit + "s"
        where = f"{len(self.blocks)} {units} ({named}{more})"
        return f"{self.lines} {lines} could not be read: {kinds}; in {where}"
