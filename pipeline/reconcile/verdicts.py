"""Reconcile: join each unit's reported progress to its assigned tasks and decide verdicts.

Pure functions of DataFrames. The verdict rules are DESIGN §4, in one place:

    on_time     done and C ≤ D, or done with no C known done by D      (credit 1)
    late        done and C > D, or done with no C known done only after D (credit 0.5)
    overdue     not done and A > D                     (credit 0)
    pending     not done and A ≤ D                     (not due unless D = A; credit 0)
    ongoing     task with no deadline                  (credit 1 if 进展情况 filled, 0 if 未启动)
    unreported  no accepted return, or its row missing (credit 0)

"Known done by" is the return's submitted_on, else the as-of date A. A C later than that is a
date that had not yet come: an error, and the task counts as not done. An unparseable C is
one error (date-invalid, from ingest) and the task counts as done with no C.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..formatting import iso_date
from ..issues import issues_frame, worded
from ..names import CATALOGUE_STATUS_WORDS, PLAN_STATUS_WORDS, SHEET_DOMAINS, SHEET_TASKS
from ..reference import Reference
from ..schemas import TABLE_COLUMNS
from .ledger import accepted_returns


def _units_to_reconcile(reference: Reference, accepted: pd.DataFrame) -> pd.Index:
    """Reporting units, plus any other unit (the office) that did send a return."""
    ids = list(reference.reporting_units["unit_id"])
    sent, known = set(accepted["unit_id"]), set(ids)  # sets built once: a province has 10,000 units
    ids += [u for u in reference.units["unit_id"] if u in sent and u not in known]
    return pd.Index(ids, name="unit_id")


def reconciliation(task_progress: pd.DataFrame, ledger: pd.DataFrame, reference: Reference,
                   quarter, as_of: dt.date) -> pd.DataFrame:
    """unit × applicable task with the verdict, credit and the rule-level issue code (if any)."""
    A = pd.Timestamp(as_of)
    acc = accepted_returns(ledger)
    units = _units_to_reconcile(reference, acc)
    assigned = reference.assignments[reference.assignments["unit_id"].isin(units)]
    progress = task_progress.drop_duplicates(["unit_id", "task_id"], keep="first")
    cols = ["unit_id", "task_id", "status", "completed_on", "note", "date_invalid", "source",
            "status_cell", "date_cell"]
    frame = (assigned.merge(progress[cols], on=["unit_id", "task_id"], how="left")
             .merge(acc.rename(columns={"file": "return_file"}), on="unit_id", how="left"))

    D = frame["deadline"]
    C = pd.to_datetime(frame["completed_on"]).astype("datetime64[ns]")
    S = pd.to_datetime(frame["submitted_on"]).astype("datetime64[ns]")
    has_return = frame["return_file"].notna()
    has_row = frame["source"].notna()
    reported = frame["status"].astype("object")
    status = reported.where(reported.notna(), "not_started").where(has_row, None)
    no_deadline = D.isna()
    issue = pd.Series(None, index=frame.index, dtype="object")

    # Rule corrections to the reported status (each raises one issue on the row).
    na_assigned = has_row & (status == "not_applicable")
    status = status.mask(na_assigned, "not_started")
    issue = issue.mask(na_assigned, "status-na-assigned")

    known_by = S.fillna(A)  # the latest date by which a reported completion is known
    after_submission = has_row & (status == "done") & C.notna() & (C > known_by)
    status = status.mask(after_submission, "in_progress")
    issue = issue.mask(after_submission, "date-after-submission")

    ongoing_with_deadline = has_row & ~no_deadline & (status == "ongoing")
    status = status.mask(ongoing_with_deadline, "in_progress")
    issue = issue.mask(ongoing_with_deadline, "status-ongoing-deadline")

    ongoing_not_started = has_row & no_deadline & (reported == "not_started")
    issue = issue.mask(ongoing_not_started & issue.isna(), "status-ongoing-not-started")
    status = status.mask(no_deadline & has_row & status.isin(["in_progress", "done"]), "ongoing")

    done = status == "done"
    no_date = done & C.isna() & ~frame["date_invalid"].fillna(False).astype(bool)
    issue = issue.mask(no_date & issue.isna(), "date-missing")
    missing_row = has_return & ~has_row
    issue = issue.mask(missing_row, "task-missing")

    verdict = np.select(
        [~has_row, no_deadline, done & C.notna() & (C <= D), done & C.isna() & (known_by <= D), done, A > D],
        ["unreported", "ongoing", "on_time", "on_time", "late", "overdue"],
        default="pending",
    )
    due = no_deadline | (D <= A)
    note_filled = frame["note"].fillna("").astype(str).str.strip() != ""
    c = reference.settings.completion
    credit = np.select(
        [verdict == "on_time", verdict == "late", verdict == "overdue", verdict == "unreported",
         verdict == "ongoing"],
        [c.on_time, c.late, c.overdue, c.unreported,
         np.where((status == "not_started") | ~note_filled, c.ongoing_empty, c.ongoing_filled)],
        default=0.0,  # pending: not due, so it earns nothing and counts nowhere
    )
    days = np.where(verdict == "overdue", (A - D).dt.days,
                    np.where(verdict == "late", (C - D).dt.days, np.nan))
    out = pd.DataFrame({
        "quarter": str(quarter),
        "unit_id": frame["unit_id"],
        "task_id": frame["task_id"].astype(int),
        "deadline": D,
        "deadline_text": frame["deadline_text"],
        "status": status,
        "reported_status": reported,
        "completed_on": C.where(verdict != "unreported"),
        "verdict": verdict,
        "due": due.astype(bool),
        "credit": credit,
        "days_overdue": pd.array(days, dtype="Int64"),
        "note_filled": note_filled & has_row,
        "issue_code": issue,
        "source": frame["source"],
        "file": frame["return_file"],
        "status_cell": frame["status_cell"],
        "date_cell": frame["date_cell"],
    })
    return out[TABLE_COLUMNS["reconciliation"] + ["file", "status_cell", "date_cell"]].reset_index(drop=True)


# The cell each verdict rule's issue points at (the wording is issues.MESSAGES).
_CELL_OF = {"task-missing": "", "status-na-assigned": "status_cell", "date-after-submission": "date_cell",
            "status-ongoing-deadline": "status_cell", "status-ongoing-not-started": "status_cell",
            "date-missing": "date_cell"}


def reconciliation_issues(recon: pd.DataFrame) -> pd.DataFrame:
    """The issue records raised by the verdict rules, one per flagged row."""
    records = []
    for row in recon[recon["issue_code"].notna()].itertuples():
        cell_col = _CELL_OF[row.issue_code]
        records.append(worded(
            row.issue_code, task_id=row.task_id, deadline_text=row.deadline_text,
            completed=iso_date(row.completed_on),
            file=row.file if isinstance(row.file, str) else "",
            sheet=SHEET_TASKS,
            cell=(getattr(row, cell_col) or "") if cell_col else "",
            unit_id=row.unit_id,
            quarter=row.quarter,
        ))
    return issues_frame(records)


def domain_reconciliation(domain_progress: pd.DataFrame, ledger: pd.DataFrame,
                          reference: Reference, quarter, as_of: dt.date) -> pd.DataFrame:
    """unit × domain it must report, with the catalogue/plan credit as of `as_of`."""
    A = pd.Timestamp(as_of)
    acc = accepted_returns(ledger)
    units = _units_to_reconcile(reference, acc)
    duties = reference.domain_duties[reference.domain_duties["unit_id"].isin(units)]
    progress = domain_progress.drop_duplicates(["unit_id", "domain_id"], keep="first")
    frame = (duties.merge(progress[["unit_id", "domain_id", "status", "source"]],
                          on=["unit_id", "domain_id"], how="left")
             .merge(acc[["unit_id", "file"]], on="unit_id", how="left"))
    before = pd.to_datetime(frame["unit_id"].map(reference.catalogue_deadlines)) > A
    # Before the deadline work in progress earns partial credit, after it only finished work.
    partial = {"catalogue": _partial_credits(reference, "base_before"),
               "plan": _partial_credits(reference, "lead_before")}
    full = {"catalogue": "published", "plan": "issued"}
    status, kind = frame["status"].astype("object"), frame["kind"]
    partial_credit = pd.Series(0.0, index=frame.index)
    for k, table in partial.items():
        mine = kind == k
        partial_credit[mine] = status[mine].map(table).astype("float64").fillna(0.0)
    full_credit = (status == kind.map(full)).astype("float64")
    credit = np.where(status.notna(), np.where(before, partial_credit, full_credit), 0.0)
    out = pd.DataFrame({
        "quarter": str(quarter),
        "unit_id": frame["unit_id"],
        "domain_id": frame["domain_id"].astype(int),
        "kind": frame["kind"],
        "status": frame["status"],
        "credit": credit,
        "source": frame["source"],
        "file": frame["file"],
    })
    return out.reset_index(drop=True)


def _partial_credits(reference: Reference, section: str) -> dict[str, float]:

    words = CATALOGUE_STATUS_WORDS | PLAN_STATUS_WORDS
    table = getattr(reference.settings.catalogue, section)
    return {words[label]: float(v) for label, v in table.items()}


def domain_issues(domain_recon: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    """`domain-missing` errors: a unit with a return that left out a domain it must report."""
    names = reference.domains.set_index("domain_id")["name"]
    missing = domain_recon[domain_recon["file"].notna() & domain_recon["source"].isna()]
    records = [
        worded("domain-missing", domain_id=r.domain_id, domain=names[r.domain_id],
               column="目录编制状态" if r.kind == "catalogue" else "实施方案状态",
               file=r.file, sheet=SHEET_DOMAINS, unit_id=r.unit_id, quarter=r.quarter)
        for r in missing.itertuples()
    ]
    return issues_frame(records)
