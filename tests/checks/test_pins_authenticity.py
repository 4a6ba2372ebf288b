"""Pins for mutants of ``checks/rules/authenticity.py`` that the rule tests let live.

MSG-08 names what kind of build an install is, as the catalog (messengers.md) has it: the
vendor's beta (Telegram Beta, Threema's internal builds, Wire's alpha/beta/dev), a third-party
build of open-source code (Molly, a Signal fork), or the official app.
"""

from __future__ import annotations

import pytest

from checks.findings import Message
from checks.rules.authenticity import unofficial_client
from tests.checks.factories import app, findings, phone


@pytest.mark.parametrize(
    ("package", "kind"),
    [
        ("org.telegram.messenger.beta", "auth.beta"),
        ("ch.threema.app.green", "auth.beta"),
        ("com.wire.android.internal", "auth.beta"),
        ("im.molly.app", "auth.fork"),
        ("org.telegram.messenger", "auth.official"),
        ("com.whatsapp", "auth.official"),
    ],
)
def test_the_kind_of_build_is_named(package: str, kind: str) -> None:
    [finding] = findings(unofficial_client, phone(app(package)))
    [named] = [e.message for e in finding.evidence if e.message and e.message.id == "auth.named"]
    shown = named.params["kind"]
    assert isinstance(shown, Message)
    assert (shown.id, named.params["package"]) == (kind, package)
