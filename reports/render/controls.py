"""Control characters out of every output: the one function every machine-readable output uses.

A phone's strings (its serial, model, package and version names, paths, the text of its errors)
may carry terminal escape sequences and control characters. JSON would keep them as ``\\u001b``,
which a SIEM, a ``jq`` on a terminal or a log viewer turns back into a live escape. Every string
of the JSON report, of each OCSF event (and so of ECS, CEF and every delivery, which are made from
it), of the fleet summary and of each log line goes through ``clean_tree`` as its last step; the
text, terminal and HTML renderers clean each string they print (``reports.render.text.clean``,
``reports.render._html.esc``).

Removed: escape sequences as a whole (CSI, OSC, DCS/SOS/PM/APC strings, C1 CSI), then every C0
control but tab and newline (which msgscan's own texts use, and which JSON escapes), DEL, the C1
controls, and the bidi and zero-width marks that make text read other than it is.
"""

from __future__ import annotations

import functools
import re
from typing import Any

_ESCAPES = (
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"  # any other escape
    r"|\x9b[0-?]*[ -/]*[@-~]"  # CSI as one C1 character
)
_CONTROLS = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"


@functools.cache
def escapes() -> re.Pattern[str]:
    """Terminal escape sequences as a whole (``reports.render.text.clean`` removes them too),
    compiled at the first use: ``--help``, ``checks`` and the logs' set-up need none (4 M
    instructions, bench/RESULTS.md "Start-up", session 23)."""
    return re.compile(_ESCAPES)


@functools.cache
def _controls() -> re.Pattern[str]:
    """``_CONTROLS`` compiled at the first use: a text report needs none (start-up)."""
    return re.compile(_CONTROLS)


def strip_controls(text: str) -> str:
    """``text`` without escape sequences and control characters (tab and newline stay)."""
    controls = _controls()
    if not controls.search(text):  # the common case (every escape starts with a control)
        return text
    return controls.sub("", escapes().sub("", text))


def clean_tree(value: Any) -> Any:
    """``value`` (JSON-shaped: dicts, lists, strings, numbers; a tuple comes back as a list)
    with every string, keys included, passed through ``strip_controls``; other values are
    returned as they are."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, dict):
        return {
            strip_controls(k) if isinstance(k, str) else k: clean_tree(v) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [clean_tree(v) for v in value]
    return value


__all__ = ["clean_tree", "escapes", "strip_controls"]
