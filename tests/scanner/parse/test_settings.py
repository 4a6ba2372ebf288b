from __future__ import annotations

from collections.abc import Callable

import pytest

from scanner.parse.settings import parse_settings_list
from scanner.parse.text import decode
from tests.scanner.parse.garbage import garbage

LG = "isdi-lg-m150-android6/settings-global-system.txt"
BYD = "byd-dilink-android10/settings-global-4-keys.txt"


class TestParseSettingsListOnCaptures:
    def test_lg_facts(self, capture: Callable[[str], bytes]) -> None:
        """LG M150, Android 6: the settings PROVENANCE.md lists, split on the first ``=``."""
        settings = parse_settings_list(decode(capture(LG)))
        expected = {
            "adb_enabled": "1",
            "development_settings_enabled": "1",
            "install_non_market_apps": "0",
            "package_verifier_enable": "1",
            "device_name": "LGE LG-M150",
            "app_idle_constants": "idle_duration=94610000000",
            "assisted_gps_supl_host": "",
            "SIM1": "SIM card 1",
        }

        assert expected == {key: settings[key] for key in expected}

    def test_lg_skips_blank_lines_and_prompt(self, capture: Callable[[str], bytes]) -> None:
        """No key comes from a blank line or the pasted ``shell@lv1:/ $`` prompt."""
        keys = parse_settings_list(decode(capture(LG)))

        assert [] == [k for k in keys if not k or " " in k or k.startswith("shell@")]

    def test_lg_counts(self, capture: Callable[[str], bytes]) -> None:
        """516 settings lines (141 global + 375 system) give 502 keys: 14 occur in both."""
        assert 502 == len(parse_settings_list(decode(capture(LG))))

    def test_byd(self, capture: Callable[[str], bytes]) -> None:
        """BYD, Android 10: four keys with decimal values."""
        expected = {
            "force_resizable_activities": "1",
            "transition_animation_scale": "0.5",
            "window_animation_scale": "0.5",
            "animator_duration_scale": "1.0",
        }

        assert expected == parse_settings_list(decode(capture(BYD)))


class TestParseSettingsListSynthetic:
    def test_crlf(self) -> None:
        """A trailing ``\\r`` is not part of the value."""
        assert {"a": "1", "b": ""} == parse_settings_list("a=1\r\nb=\r\n")

    @pytest.mark.parametrize("line", ["=x", " a=1", "no equals sign", "a b=1", ""])
    def test_junk(self, line: str) -> None:
        """Lines without a one-token key are skipped."""
        assert {} == parse_settings_list(line)

    @pytest.mark.parametrize("text", garbage())
    def test_never_raises(self, text: str) -> None:
        """Garbage gives a dict, never an exception."""
        assert isinstance(parse_settings_list(text), dict)
