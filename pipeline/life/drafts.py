"""Drafts: a run before the due date, or while reporting units are missing, is a 征求意见稿."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from ..formatting import cn_date
from ..reference import Reference
from ..result import QuarterResult


def missing_units(ledger: pd.DataFrame, reference: Reference) -> list[str]:
    """Reporting units without an accepted return, in reference order."""
    sent = set(ledger.loc[ledger["state"] == "accepted", "unit_id"].dropna())
    return [u for u in reference.reporting_units["unit_id"] if u not in sent]


def with_draft_status(result: QuarterResult, today: dt.date | None = None) -> QuarterResult:
    """The result marked a draft when `today` is before the due date or units are missing."""
    today = today or dt.date.today()
    missing = tuple(missing_units(result.ledger, result.reference))
    due = result.quarter.due_date(result.reference.settings.reporting.due_day)
    return dataclasses.replace(result, draft=bool(missing) or today < due, missing=missing)


def draft_warning(result: QuarterResult, today: dt.date | None = None) -> str | None:
    """What the CLI says on stderr about a draft (None for a final result)."""
    if not result.draft:
        return None
    today = today or dt.date.today()
    due = result.quarter.due_date(result.reference.settings.reporting.due_day)
    parts = []
    if today < due:
        parts.append(f"尚未到报送截止日（{cn_date(due)}）")
    if result.missing:
        names = result.reference.units.set_index("unit_id")["short_name"]
        shown = "、".join(names.get(u, u) for u in result.missing[:10])
        more = "等" if len(result.missing) > 10 else ""
        parts.append(f"尚有 {len(result.missing)} 个单位未报送：{shown}{more}")
    return (f"注意：{result.quarter.label}通报为征求意见稿——" + "；".join(parts)
            + "。未报送单位按「尚未报送」列出；定稿请在报齐后运行 zwgk publish。")
