"""Pins (session 21) for ``scanner/parse/appops.py``: a damaged ``Uid`` header is named as printed.

``AppOpsService.dump`` prints ``  Uid <UserHandle.formatUid>:`` per uid (``u0a232``, ``1000``,
``u10s1000``). A header that is no uid is damage (its ops would be lost with it), and the report
names it: the token between ``Uid `` and the closing ``:``, every character of it kept
(shown escaped, as every damaged block).
"""

from __future__ import annotations

import pytest

from scanner.names import shown
from scanner.parse.appops import appops_damage

STATE = "Current AppOps Service state:\n"


@pytest.mark.parametrize("token", ["u0a2x3", "u0aX", "10X", "u0a232X"])
def test_a_uid_header_that_is_no_uid_is_named_whole(token: str) -> None:
    damage = appops_damage(f"{STATE}  Uid {token}:\n    COARSE_LOCATION: mode=allow\n")
    assert (damage.lines, damage.blocks, damage.kinds) == (
        1,
        [shown(token)],
        {"Uid header that is no uid": 1},
    )


def test_a_real_uid_header_is_no_damage() -> None:
    damage = appops_damage(f"{STATE}  Uid u0a232:\n  Uid 1000:\n  Uid u10s1000:\n")
    assert (damage.lines, damage.blocks) == (0, [])
