"""Consistency of this quarter's return with the last: undone tasks, changed completion dates,
catalogues and plans that went backwards. Warnings at the current return's cell."""

from __future__ import annotations

import pandas as pd

from ..issues import Issue, issues_frame
from ..names import (
    CATALOGUE_STATUS_LABELS,
    PLAN_STATUS_LABELS,
    SHEET_DOMAINS,
    SHEET_TASKS,
    TASK_STATUS_LABELS,
)
from ._common import accepted_rows, cn_date

# Progress order of catalogue and plan statuses (higher is further along).
STATUS_RANK = {
    "catalogue": {"not_started": 0, "compiling": 1, "compiled": 2, "published": 3},
    "plan": {"not_started": 0, "drafting": 1, "issued": 2},
}
_KIND_FIELD = {"catalogue": ("目录编制状态", CATALOGUE_STATUS_LABELS),
               "plan": ("实施方案状态", PLAN_STATUS_LABELS)}
_NOT_DONE = {"in_progress", "not_started"}


def _text(value) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def _task_pairs(previous, current) -> pd.DataFrame:
    cols = ["unit_id", "task_id", "status", "completed_on", "file", "status_cell", "date_cell"]
    before = accepted_rows(previous.task_progress, previous.ledger, "task_id")[cols]
    now = accepted_rows(current.task_progress, current.ledger, "task_id")[cols]
    return before.merge(now, on=["unit_id", "task_id"], suffixes=("_old", "_new"))


def task_consistency(previous, current) -> list[Issue]:
    """A task reported done last quarter and not done now; a completion date that moved."""
    q, pq = str(current.quarter), previous.quarter.label
    records = []
    pairs = _task_pairs(previous, current)
    pairs = pairs[(pairs["status_old"] == "done").fillna(False).astype(bool)]  # the rest cannot contradict
    for r in pairs.itertuples():
        was = f"上季度（{pq}）填报为已完成" + (f"（{cn_date(r.completed_on_old)}）"
                                          if pd.notna(r.completed_on_old) else "")
        if _text(r.status_new) in _NOT_DONE:
            records.append(Issue(
                code="consistency-undone", quarter=q, unit_id=r.unit_id, file=_text(r.file_new),
                sheet=SHEET_TASKS, cell=_text(r.status_cell_new),
                message=(f"第{r.task_id}项任务{was}，本季度填报为“{TASK_STATUS_LABELS[r.status_new]}”，"
                         "请核实完成状态；确未完成的，请在进展情况中说明原因")))
        elif (_text(r.status_new) == "done" and pd.notna(r.completed_on_old)
              and pd.notna(r.completed_on_new) and r.completed_on_old != r.completed_on_new):
            records.append(Issue(
                code="consistency-date-changed", quarter=q, unit_id=r.unit_id,
                file=_text(r.file_new), sheet=SHEET_TASKS, cell=_text(r.date_cell_new),
                message=(f"第{r.task_id}项任务完成时间上季度填报为{cn_date(r.completed_on_old)}，"
                         f"本季度改为{cn_date(r.completed_on_new)}，请核实并按实际完成时间填写")))
    return records


def domain_consistency(previous, current) -> list[Issue]:
    """A catalogue or plan status lower than last quarter's (published > compiled > …)."""
    cols = ["unit_id", "domain_id", "kind", "status", "file", "status_cell"]
    before = accepted_rows(previous.domain_progress, previous.ledger, "domain_id")[cols]
    now = accepted_rows(current.domain_progress, current.ledger, "domain_id")[cols]
    pairs = before.merge(now, on=["unit_id", "domain_id"], suffixes=("_old", "_new"))
    # only a status that changed can have gone backwards
    pairs = pairs[(pairs["status_old"] != pairs["status_new"]).fillna(True).astype(bool)]
    if pairs.empty:
        return []
    names = current.reference.domains.set_index("domain_id")["name"]
    q, pq = str(current.quarter), previous.quarter.label
    records = []
    for r in pairs.itertuples():
        kind = _text(r.kind_new)
        order = STATUS_RANK.get(kind, {})
        old, new = _text(r.status_old), _text(r.status_new)
        if old not in order or new not in order or order[new] >= order[old]:
            continue
        field, labels = _KIND_FIELD[kind]
        name = names.get(r.domain_id, "")
        records.append(Issue(
            code="consistency-catalogue-backwards", quarter=q, unit_id=r.unit_id,
            file=_text(r.file_new), sheet=SHEET_DOMAINS, cell=_text(r.status_cell_new),
            message=(f"第{r.domain_id}个试点领域（{name}）的{field}上季度（{pq}）为“{labels[old]}”，"
                     f"本季度退为“{labels[new]}”，请核实并填写实际状态")))
    return records


def consistency_issues(previous, current) -> pd.DataFrame:
    """Warnings (issues table) where this quarter's return contradicts last quarter's."""
    if previous is None:
        return issues_frame([])
    return issues_frame(task_consistency(previous, current) + domain_consistency(previous, current))
