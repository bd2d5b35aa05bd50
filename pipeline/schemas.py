"""Column contracts of the tables in DESIGN §4 (what notebooks see), as pandera schemas.

`check(name, frame)` is called when a table is written, so a stage that drops a column or
writes an unknown status code fails loudly instead of producing a quietly wrong 通报. It checks
exactly what the pandera schema (`schema(name)`, `validate(name, frame)`, for notebooks and the
tests) checks, without importing pandera: that import alone costs a city run 0.7 s.
"""

from __future__ import annotations

import pandas as pd

TABLE_COLUMNS: dict[str, list[str]] = {
    # What ingest lists per file (the ledger before reconcile decides submission and state).
    "files": ["quarter", "file", "sha256", "unit_id", "filled_on", "filled_sheet", "filled_cell",
              "received_on", "state", "reason", "quarter_text", "quarter_sheet", "quarter_cell"],
    "ledger": ["quarter", "file", "sha256", "unit_id", "submitted_on", "submitted_source",
               "on_time", "state", "reason"],
    "task_progress": ["quarter", "unit_id", "task_id", "status", "completed_on", "note",
                      "evidence", "problems", "source", "file", "status_text", "status_cell",
                      "date_cell", "date_invalid"],
    "domain_progress": ["quarter", "unit_id", "domain_id", "kind", "status", "item_count", "url",
                        "completed_on", "note", "source", "file", "status_cell"],
    "issues": ["quarter", "file", "unit_id", "sheet", "cell", "severity", "code", "message"],
    "reconciliation": ["quarter", "unit_id", "task_id", "deadline", "deadline_text", "status",
                       "reported_status", "completed_on", "verdict", "due", "credit",
                       "days_overdue", "note_filled", "issue_code", "source"],
    "domain_reconciliation": ["quarter", "unit_id", "domain_id", "kind", "status", "credit",
                              "source"],
    "scores": ["quarter", "unit_id", "short_name", "group", "level", "parent_id", "timeliness", "completion",
               "catalogue", "quality", "total", "grade", "rank", "rank_change", "commended",
               "criticised", "reasons", "on_time", "error_count", "tasks_due", "tasks_done",
               "overdue_count", "unreported_count"],
    "summary": ["quarter", "section", "key", "group", "value", "text", "unit_ids"],
    # A county's roll-up of its townships (county × quarter), read from the county's summary
    # return (乡镇汇总 sheet); counties that sent none are absent.
    "township_summary": ["quarter", "unit_id", "short_name", "parent_id", "level", "townships",
                         "reporting", "on_time", "tasks_due", "tasks_done", "catalogue_due",
                         "catalogue_done", "completion_rate", "catalogue_rate", "county_quarter",
                         "file"],
}

# What ingest adds to a progress row for reconcile's decisions (dropped before the table is
# written): the id cell an issue about the row names, the 1-based row of an earlier row of the
# same id in the same file, and (domains) the status as written.
INTAKE_COLUMNS: dict[str, list[str]] = {
    "task_progress": TABLE_COLUMNS["task_progress"] + ["id_cell", "dup_of"],
    "domain_progress": TABLE_COLUMNS["domain_progress"] + ["id_cell", "dup_of", "status_text"],
}

# Columns that carry a status code from a fixed set (checked by validate()).
_ENUMS = {
    ("ledger", "state"): {"accepted", "rejected", "superseded", "ignored"},
    ("task_progress", "status"): {"done", "in_progress", "not_started", "ongoing", "not_applicable"},
    ("issues", "severity"): {"error", "warning"},
    ("reconciliation", "verdict"): {"on_time", "late", "overdue", "pending", "ongoing", "unreported"},
}


class TableContractError(ValueError):
    """A table does not meet its contract (a missing column, an unknown status code)."""


def check(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Raise TableContractError unless `frame` has table `name`'s columns and legal codes."""
    missing = [c for c in TABLE_COLUMNS[name] if c not in frame.columns]
    problems = [f"缺少列 {', '.join(missing)}"] if missing else []
    for (table, col), allowed in _ENUMS.items():
        if table == name and col in frame.columns:
            bad = sorted(set(frame[col].dropna().astype(str)) - allowed)
            if bad:
                problems.append(f"{col} 含未知代码 {', '.join(bad)}")
    if problems:
        raise TableContractError(f"表 {name} 不符合约定：" + "；".join(problems))
    return frame


def schema(name: str):
    """The pandera schema of table `name`."""
    import pandera.pandas as pa

    columns = {}
    for col in TABLE_COLUMNS[name]:
        allowed = _ENUMS.get((name, col))
        checks = [pa.Check.isin(sorted(allowed))] if allowed else []
        columns[col] = pa.Column(nullable=True, checks=checks, required=True)
    return pa.DataFrameSchema(columns, strict=False, coerce=False)


def validate(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Check that `frame` has the contract columns of table `name` (and legal status codes)."""
    return schema(name).validate(frame, lazy=True)


def empty(name: str) -> pd.DataFrame:
    return pd.DataFrame(columns=TABLE_COLUMNS[name], dtype="object")  # object columns, no rows
