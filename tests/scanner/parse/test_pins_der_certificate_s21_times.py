"""Pins (session 21, lead) for ``scanner/parse/der_certificate.py``: a validity time is a date.

RFC 5280 4.1.2.5.1: UTCTime ``YYMMDDHHMMSSZ``, seconds included. A time whose seconds are no
second (``61``) is not a date: the reader refuses it, and so does ``cryptography.x509``, so the
certificate is refused as a whole (``apk_signing.certificate`` raises ``ValueError``): the
reader never accepts what x509 refuses (seed 131's mutant ``der_certificate.py:239:20`` read only
the first digit of the seconds)."""

from __future__ import annotations

import re

import pytest

from scanner.parse import apk_signing, der_certificate
from tests.scanner.parse.test_der_certificate import made

_UTC = re.compile(rb"\x17\x0d(\d{10})(\d\d)Z")


def _seconds(der: bytes, seconds: bytes) -> bytes:
    found = _UTC.search(der)
    assert found is not None, "the made certificate has a UTCTime"
    return der[: found.start(2)] + seconds + der[found.end(2) :]


@pytest.mark.parametrize("index", [0, 4])  # an EC and an RSA certificate of the made kinds
def test_a_utc_time_with_no_second_is_refused(index: int) -> None:
    der = made()[index]
    assert _UTC.search(der) is not None
    der_certificate.check(_seconds(der, b"59"))  # the last second of a minute is one

    with pytest.raises(der_certificate.Unread):
        der_certificate.check(_seconds(der, b"61"))
    with pytest.raises(ValueError):
        apk_signing.certificate(_seconds(der, b"61"))
