from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from checks.facts import DeviceIdentity, Encryption
from scanner.parse.getprop import PROPS_KEPT, identity_from_props, parse_getprop, scrub_getprop
from scanner.parse.text import decode
from tests.scanner.parse.garbage import garbage

S25 = "samsung-s25-android16/getprop.utf16le.txt"
SERIAL_PLACEHOLDERS = ("R5CX000TEST", "0x0000000000000000", "4000000000000011")
"""The same-length placeholders PROVENANCE.md says replace the capture's serial-like values
(ro.serialno, ro.boot.serialno, ro.boot.ap_serial, ro.boot.em.did)."""


@pytest.fixture(scope="module")
def s25(capture: Callable[[str], bytes]) -> str:
    return decode(capture(S25))


class TestParseGetpropOnCapture:
    """Samsung Galaxy S25+, Android 16, UTF-16LE + BOM + CRLF (PROVENANCE.md)."""

    def test_counts_every_property(self, s25: str) -> None:
        """All 1,582 properties are read, the multi-line one counting once."""
        assert 1582 == len(parse_getprop(s25))

    def test_facts(self, s25: str) -> None:
        """The property values PROVENANCE.md lists are read exactly."""
        props = parse_getprop(s25)

        expected = {
            "ro.build.version.release": "16",
            "ro.build.version.sdk": "36",
            "ro.build.version.oneui": "80500",
            "ro.product.manufacturer": "samsung",
            "ro.product.model": "SM-S936B",
            "ro.csc.sales_code": "EUX",
            "ro.build.version.security_patch": "2026-06-05",
            "ro.build.fingerprint": (
                "samsung/pa2qxeea/pa2q:16/BP4A.251205.006/S936BXXUACZF1_OXMACZF1:user/release-keys"
            ),
            "ro.boot.verifiedbootstate": "green",
            "sys.usb.state": "sec_charging,adb",
            "persist.sys.dualapp.prop": "1",
            "sys.dualapp.profile_id": "",
        }
        assert expected == {key: props[key] for key in expected}

    def test_multi_line_value(self, s25: str) -> None:
        """A value spanning lines 615-617 is one property whose value keeps its line breaks."""
        expected = "reboot,1784638255\nreboot,userrequested,1784637108\nreboot,lpm,1784545284"

        assert expected == parse_getprop(s25)["persist.sys.boot.reason.history"]

    def test_line_after_multi_line_value(self, s25: str) -> None:
        """The property after the multi-line value (line 618) is read normally."""
        assert "normal" == parse_getprop(s25)["persist.sys.csc_status"]

    def test_identity(self, s25: str) -> None:
        """The identity is built from the capture's properties."""
        expected = DeviceIdentity(
            manufacturer="samsung",
            brand="samsung",
            model="SM-S936B",
            device="pa2q",
            release="16",
            sdk=36,
            security_patch=date(2026, 6, 5),
            encryption=Encryption.FILE_BASED,
            build_fingerprint=(
                "samsung/pa2qxeea/pa2q:16/BP4A.251205.006/S936BXXUACZF1_OXMACZF1:user/release-keys"
            ),
        )

        assert expected == identity_from_props(parse_getprop(s25))


class TestScrubGetprop:
    def test_no_serial_survives(self, s25: str) -> None:
        """None of the serial placeholders appears in the scrubbed output."""
        scrubbed = scrub_getprop(s25)

        assert [] == [serial for serial in SERIAL_PLACEHOLDERS if serial in scrubbed]

    def test_keeps_exactly_the_kept_properties(self, s25: str) -> None:
        """The scrubbed output parses back to the kept properties with unchanged values."""
        props = parse_getprop(s25)
        expected = {key: value for key, value in props.items() if key in PROPS_KEPT}

        assert expected == parse_getprop(scrub_getprop(s25))

    def test_keeps_the_raw_format(self) -> None:
        """Kept lines stay in ``[k]: [v]`` form, dropped ones vanish, order is kept."""
        text = (
            "[ro.serialno]: [ABC123]\r\n[ro.product.model]: [Pixel 9]\r\n[ro.crypto.state]: []\r\n"
        )

        assert "[ro.product.model]: [Pixel 9]\n[ro.crypto.state]: []\n" == scrub_getprop(text)

    def test_multi_line_kept_property_keeps_all_lines(self) -> None:
        """A kept multi-line value keeps all its physical lines; a dropped one loses all."""
        text = "[ro.build.tags]: [a\nb]\n[ro.serialno]: [X\nY]\n"

        assert "[ro.build.tags]: [a\nb]\n" == scrub_getprop(text)


class TestParseGetpropSynthetic:
    """Lines as AOSP system/core/toolbox/getprop.cpp prints them (``[name]: [value]``)."""

    def test_value_with_brackets(self) -> None:
        """A value containing ``]`` and ``]: [`` runs to the last ``]`` of the line."""
        assert {"a.b": "x]: [y]"} == parse_getprop("[a.b]: [x]: [y]]\n")

    def test_truncated_multi_line_value_is_dropped(self) -> None:
        """A multi-line value cut off by the next property is dropped, the next one kept."""
        assert {"b": "2"} == parse_getprop("[a]: [one\ntwo\n[b]: [2]\n")

    def test_truncated_output(self) -> None:
        """A value still open at the end of the output is dropped."""
        assert {"a": "1"} == parse_getprop("[a]: [1]\n[b]: [unfinish")

    def test_junk_lines_skipped(self) -> None:
        """Lines outside any property are skipped."""
        assert {"a": "1"} == parse_getprop("getprop: warning\n[a]: [1]\nshell@x:/ $\n")

    @pytest.mark.parametrize("text", garbage())
    def test_never_raises(self, text: str) -> None:
        """Garbage gives a dict and a string, never an exception."""
        assert (dict, str) == (type(parse_getprop(text)), type(scrub_getprop(text)))


class TestIdentityFromProps:
    @pytest.mark.parametrize(
        ("state", "kind", "expected"),
        [
            ("encrypted", "file", Encryption.FILE_BASED),
            ("encrypted", "block", Encryption.FULL_DISK),
            ("encrypted", None, Encryption.ENCRYPTED),
            ("unencrypted", None, Encryption.UNENCRYPTED),
            ("unsupported", None, Encryption.UNSUPPORTED),
            (None, None, Encryption.UNREPORTED),
            ("", "file", Encryption.UNREPORTED),
        ],
    )
    def test_encryption(self, state: str | None, kind: str | None, expected: Encryption) -> None:
        """ro.crypto.state and ro.crypto.type map to the Encryption values."""
        props = {
            k: v for k, v in (("ro.crypto.state", state), ("ro.crypto.type", kind)) if v is not None
        }

        assert expected == identity_from_props(props).encryption

    @pytest.mark.parametrize("patch", ["", "2026-13-01", "June 2026", "2026-06"])
    def test_garbled_security_patch_is_none(self, patch: str) -> None:
        """An empty or garbled security patch is not reported."""
        assert (
            None is identity_from_props({"ro.build.version.security_patch": patch}).security_patch
        )

    def test_absent_properties(self) -> None:
        """Missing properties give None fields and an unreported encryption."""
        expected = DeviceIdentity(None, None, None, None, None, None, None, Encryption.UNREPORTED)

        assert expected == identity_from_props({"ro.build.version.sdk": "thirty"})
