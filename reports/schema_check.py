"""Whether a built report matches its own schema (``reports/schema/report-1.schema.json``).

The other job beside building the report (``reports.report``): ``validate`` checks a report
against the JSON Schema with jsonschema, which loads only here (~50 ms no other command needs),
and names the first problems when it breaks it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checks.errors import MsgscanError

if TYPE_CHECKING:  # jsonschema loads in validate() only: ~50 ms that no other command needs
    from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "report-1.schema.json"


class ReportInvalid(MsgscanError):
    """A built report does not match its own schema: a bug in msgscan, never in the phone."""


_DATE_TIME = r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"


def _is_date_time(instance: object) -> bool:
    """RFC 3339 date-time; raises ValueError for an impossible one (month 13)."""
    if not isinstance(instance, str):
        return True
    matched = re.fullmatch(_DATE_TIME, instance)  # compiled here: validation only (start-up)
    return bool(matched) and bool(datetime.fromisoformat(instance.upper()))


def _formats() -> FormatChecker:
    """jsonschema's format checks, plus date-time: jsonschema checks that one only when the
    optional rfc3339-validator is installed, and skips it silently otherwise."""
    from jsonschema import FormatChecker  # only validation needs it

    checker = FormatChecker()
    checker.checks("date-time", raises=ValueError)(_is_date_time)
    return checker


@functools.cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=_formats())


def validate(report: Mapping[str, Any], *, show: int = 5) -> None:
    """Raise ``ReportInvalid`` naming the first ``show`` problems if ``report`` breaks the
    schema."""
    errors = sorted(_validator().iter_errors(report), key=lambda e: (e.json_path, e.message))
    if not errors:
        return
    listed = "; ".join(f"{e.json_path}: {e.message}" for e in errors[:show])
    more = f" (and {len(errors) - show} more)" if len(errors) > show else ""
    raise ReportInvalid(
        f"the report breaks {SCHEMA_PATH.name} in {len(errors)} place(s): {listed}{more}",
        hint="this is a bug in msgscan: report it with the snapshot (`msgscan snapshot --json`)",
    )


__all__ = ["SCHEMA_PATH", "ReportInvalid", "validate"]
