"""Parse ``settings list <namespace>`` into a key -> value dict.

Format: one ``key=value`` line per setting (LG M150 Android 6 capture
``isdi-lg-m150-android6/settings-global-system.txt``; BYD Android 10 capture
``byd-dilink-android10/settings-global-4-keys.txt``). Quirks, all from the LG capture:

* the value runs from the *first* ``=`` to the end of the line and may itself contain ``=``
  (line 7 ``app_idle_constants=idle_duration=94610000000``) or spaces
  (line 45 ``device_name=LGE LG-M150``), or be empty (line 11 ``assisted_gps_supl_host=``);
* blank lines (41, 43, 54, 56) and a pasted shell prompt (line 146
  ``shell@lv1:/ $ settings list system``, with trailing spaces) are not settings.

A key is one token without whitespace; anything else is skipped. ``settings`` does not escape
values, so a value containing a line break cannot be told apart from junk: its continuation
lines are skipped (no capture shows one). When a key occurs twice (e.g. two namespaces pasted
together, as in the LG capture) the later line wins. Pure and never raises.
"""

from __future__ import annotations

import re

__all__ = ["parse_settings_list"]

_KEY = re.compile(r"^[^\s=]+$")


def parse_settings_list(text: str) -> dict[str, str]:
    """Settings as key -> value (value after the first ``=``, may be empty)."""
    settings: dict[str, str] = {}
    for raw in text.split("\n"):
        line = raw.rstrip("\r")
        key, sep, value = line.partition("=")
        if not sep or not _KEY.match(key):
            continue
        settings[key] = value
    return settings
