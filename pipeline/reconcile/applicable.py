"""Which rows read from a return apply to its unit (DESIGN §1 applicability, §4).

Ingest keeps every row with a known task or domain number; here the rows of tasks the unit is
not assigned and of domains it does not lead are set aside (a warning when the row says
anything), and a repeated row of one that applies is dropped (the first row wins, an error).
"""

from __future__ import annotations

import pandas as pd

from ..frames import columns
from ..issues import Issue, issues_frame
from ..reference import Reference
from ..schemas import TABLE_COLUMNS
from ..textnorm import norm


def _sheet(source: str) -> str:
    return source.rsplit("!", 2)[1] if isinstance(source, str) and source.count("!") >= 2 else ""


def _issue(row, code: str, message: str) -> Issue:
    return Issue(code=code, message=message, file=row.file, sheet=_sheet(row.source),
                 cell=row.id_cell or "", unit_id=row.unit_id or "", quarter=row.quarter or "")


def _filled(value) -> bool:
    return isinstance(value, str) and bool(norm(value))


def applicable_tasks(rows: pd.DataFrame, reference: Reference) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows that apply, issues): rows of unassigned tasks and repeated rows removed."""
    tasks_of, none = reference.tasks_of, frozenset()
    mine = pd.Series([t in tasks_of.get(u, none) for u, t in columns(rows, "unit_id", "task_id")],
                     index=rows.index, dtype=bool)
    repeat = mine & rows["dup_of"].notna()
    issues = []
    for r, applies in zip(rows[~mine | repeat].itertuples(), mine[~mine | repeat], strict=True):
        if not applies:
            said = isinstance(r.status, str) and r.status != "not_applicable"
            if said or _filled(r.note):
                issues.append(_issue(r, "task-not-applicable",
                                     f"第{r.task_id}项任务不属于本单位，本行已忽略；如无此项工作可删除该行"))
        else:
            issues.append(_issue(r, "task-duplicate",
                                 f"第{r.task_id}项任务重复填报（另见第{r.dup_of}行），已以第一行为准，请删除多余的行"))
    return _kept(rows[mine & ~repeat], "task_progress"), issues_frame(issues)


def applicable_domains(rows: pd.DataFrame, reference: Reference) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows that apply, issues): plan rows of domains the unit does not lead, and repeated
    rows, removed (every domain applies to a catalogue)."""
    led = reference.domains_led
    mine = pd.Series([k != "plan" or d in led.get(u, frozenset())
                      for k, u, d in columns(rows, "kind", "unit_id", "domain_id")],
                     index=rows.index, dtype=bool)
    repeat = mine & rows["dup_of"].notna()
    issues = []
    for r, applies in zip(rows[~mine | repeat].itertuples(), mine[~mine | repeat], strict=True):
        if not applies:
            if _filled(r.status_text):
                issues.append(_issue(r, "domain-not-led",
                                     f"第{r.domain_id}个试点领域不由本单位牵头，本行已忽略；请只填写本单位牵头的领域"))
        else:
            issues.append(_issue(r, "domain-duplicate",
                                 f"第{r.domain_id}个试点领域重复填报（另见第{r.dup_of}行），已以第一行为准，请删除多余的行"))
    return _kept(rows[mine & ~repeat], "domain_progress"), issues_frame(issues)


def _kept(rows: pd.DataFrame, table: str) -> pd.DataFrame:
    """The rows in the table's contract columns (the intake-only ones dropped), renumbered."""
    return rows[TABLE_COLUMNS[table]].reset_index(drop=True)
