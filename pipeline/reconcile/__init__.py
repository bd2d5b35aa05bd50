"""Reconcile: decide what counts and what it means, as of a date (DESIGN §4).

`reconciled(intake, …)` takes what ingest read and returns the quarter's decided tables: the
ledger (submission dates, timeliness, which file counts), the progress rows that count, the
task and domain verdicts with their credits, and every issue so far. Pure: DataFrames in,
DataFrames out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..reference import Reference
from .applicable import applicable_domains, applicable_tasks
from .ledger import accepted_returns, ledger, rows_of
from .verdicts import domain_issues, domain_reconciliation, reconciliation, reconciliation_issues

__all__ = ["Reconciled", "accepted_returns", "applicable_domains", "applicable_tasks", "domain_issues", "domain_reconciliation", "ledger",
           "reconciled", "reconciliation", "reconciliation_issues", "rows_of"]


@dataclass
class Reconciled:
    ledger: pd.DataFrame
    task_progress: pd.DataFrame           # rows of the accepted returns
    domain_progress: pd.DataFrame
    reconciliation: pd.DataFrame
    domain_reconciliation: pd.DataFrame
    issues: pd.DataFrame                  # ingest's, the ledger's and the verdict rules'
    superseded: dict[str, pd.DataFrame]   # rows of superseded returns, for the version audit


def reconciled(intake, reference: Reference, quarter, as_of: dt.date,
               earlier: pd.DataFrame | None = None) -> Reconciled:
    """The decided tables of one quarter from what ingest read; `earlier` (sha256, quarter)
    lists the returns accepted in earlier quarters (one sent again is stale)."""
    due = quarter.due_date(reference.settings.reporting.due_day)
    led, ledger_issues = ledger(intake.files, reference, quarter, due, earlier)
    all_tasks, task_row_issues = applicable_tasks(intake.task_progress, reference)
    all_domains, domain_row_issues = applicable_domains(intake.domain_progress, reference)
    tasks = rows_of(all_tasks, led, "accepted")
    domains = rows_of(all_domains, led, "accepted")
    recon = reconciliation(tasks, led, reference, quarter, as_of)
    dom = domain_reconciliation(domains, led, reference, quarter, as_of)
    issues = pd.concat([intake.issues, task_row_issues, domain_row_issues, ledger_issues, reconciliation_issues(recon),
                        domain_issues(dom, reference)], ignore_index=True)
    superseded = {"task_progress": rows_of(all_tasks, led, "superseded"),
                  "domain_progress": rows_of(all_domains, led, "superseded")}
    return Reconciled(led, tasks, domains, recon, dom, issues, superseded)
