"""The stages composed once: ingest → reconcile → score → catalogue → across quarters.

Every caller — `zwgk run`, `zwgk check`, the notebook API, the templates' carry-forward and the
benchmark — goes through these functions, so a new rule lands in one place. A quarter arrives
here already parsed (a `Quarter`); the as-of default lives in `as_of_default`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from . import names as N
from .crossq import cross_quarter_issues, cross_quarter_tables
from .dates import Quarter
from .errors import ZwgkError
from .ingest import Intake, read_returns
from .reconcile import Reconciled, reconciled
from .reference import Reference
from .result import QuarterResult
from .scoring import scores
from .workspace import Workspace


class RunError(ZwgkError):
    """A usage problem the CLI reports in Chinese (missing folder, bad quarter)."""


def as_of_default(reference: Reference, quarter: Quarter) -> dt.date:
    """Reconciliation is done as of the quarter's due date unless the user says otherwise."""
    return quarter.due_date(reference.settings.reporting.due_day)


def intake(folder: Path, reference: Reference, quarter: Quarter, cache_dir: Path | None = None,
           on_file: Callable[[str], None] | None = None) -> Intake:
    """Ingest: every file of a quarter folder, read."""
    if not Path(folder).is_dir():
        raise RunError(f"找不到本季度报表目录：{folder}")
    return read_returns(Path(folder), reference, quarter, on_file=on_file, cache_dir=cache_dir)


def reconcile(read: Intake, reference: Reference, quarter: Quarter,
              as_of: dt.date | None = None) -> Reconciled:
    """Reconcile: the ledger decided, the verdicts and every issue so far."""
    return reconciled(read, reference, quarter, as_of or as_of_default(reference, quarter))


def quarter_result(read: Intake, reference: Reference, quarter: Quarter, as_of: dt.date | None = None,
                   previous: QuarterResult | None = None) -> QuarterResult:
    """Reconcile and score one quarter; `previous` supplies last quarter's ranks."""
    as_of = as_of or as_of_default(reference, quarter)
    rec = reconcile(read, reference, quarter, as_of)
    scored = scores(rec.reconciliation, rec.domain_reconciliation, rec.ledger, rec.issues, reference,
                    quarter, as_of, previous.scores if previous else None)
    return QuarterResult(quarter, as_of, reference, rec.ledger, rec.task_progress, rec.domain_progress,
                         rec.issues, rec.reconciliation, rec.domain_reconciliation, scored,
                         previous=previous, superseded=rec.superseded)


def with_catalogue(result: QuarterResult, cat_dir: Path) -> QuarterResult:
    """Add the standard-catalogue audit of inputs/<Q>/目录/ when the folder exists.

    Catalogue problems are listed with the issues but are not errors of the return, so they
    are added after scoring and do not touch the quality part.
    """
    if not cat_dir.is_dir():
        return result
    from .catalogue import audit_catalogues  # only quarters that have catalogues pay for it

    audit = audit_catalogues(cat_dir, result.reference, result.quarter, result.domain_progress)
    issues = pd.concat([result.issues, _prefixed(audit.issues)], ignore_index=True)
    extra = result.extra | {"catalogue_items": audit.items, "catalogue_audit": audit.audit}
    return dataclasses.replace(result, issues=issues, extra=extra)


def with_township_summary(result: QuarterResult, folder: Path) -> QuarterResult:
    """Add `township_summary`: the 乡镇汇总 sheets of the counties' accepted returns in the
    quarter folder (an empty table when none sent one); unreadable figures become issues."""
    from .county.summary import township_summary

    table, issues = township_summary(folder, result.ledger, result.reference, result.quarter)
    if len(issues):
        issues = pd.concat([result.issues, issues], ignore_index=True)
    else:
        issues = result.issues
    return dataclasses.replace(result, issues=issues, extra=result.extra | {"township_summary": table})


def _prefixed(issues: pd.DataFrame) -> pd.DataFrame:
    """Catalogue issue files are relative to 目录/; name them from the quarter folder."""
    files = issues["file"].fillna("")
    return issues.assign(file=files.where(files == "", N.CATALOGUE_DIR + "/" + files))


def with_cross_quarter(results: list[QuarterResult]) -> QuarterResult:
    """The last of `results` with history, rectification, changes, score changes and the
    consistency warnings against the quarter before."""
    current = results[-1]
    sup = current.superseded
    tables = cross_quarter_tables(results, sup.get("task_progress"), sup.get("domain_progress"))
    changes = tables.pop("score_changes")
    scored = current.scores.merge(changes, on="unit_id", how="left")
    issues = pd.concat([current.issues, cross_quarter_issues(results)], ignore_index=True)
    return dataclasses.replace(current, scores=scored, issues=issues, extra=current.extra | tables)


def compute_quarters(workspace: Workspace, quarters: Iterable[Quarter], reference: Reference,
                     as_of: dt.date | None = None, cache: bool = True) -> Iterable[QuarterResult]:
    """Yield the full result of each quarter in `quarters` (ascending), each read against the
    quarters in inputs/ before it. `as_of` applies to the last quarter only.

    Each quarter is computed once, in order, so that rank changes, the rectification of last
    quarter's criticism and the history see the same numbers the earlier bulletins printed.
    """
    wanted = sorted(set(quarters))
    if not wanted:
        return
    every = [q for q in sorted(set(workspace.quarters()) | set(wanted)) if q <= wanted[-1]]
    cache_dir = workspace.cache_dir if cache else None
    done: list[QuarterResult] = []
    for q in every:
        day = as_of if q == wanted[-1] else None
        read = intake(workspace.quarter_inputs(q), reference, q, cache_dir)
        base = quarter_result(read, reference, q, day, done[-1] if done else None)
        base = with_catalogue(base, workspace.catalogue_dir(q))
        base = with_township_summary(base, workspace.quarter_inputs(q))
        full = with_cross_quarter(done + [base])
        done.append(base)
        if q in wanted:
            yield full


def compute_quarter(workspace: Workspace, quarter: Quarter, reference: Reference,
                    as_of: dt.date | None = None, cache: bool = True) -> QuarterResult:
    """Every table of one quarter, read against the quarters before it; writes nothing."""
    (result,) = compute_quarters(workspace, [quarter], reference, as_of, cache)
    return result


def previous_returns(workspace: Workspace, reference: Reference, quarter: Quarter
                     ) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """Each unit's last accepted return before `quarter`, for the templates' carry-forward:
    (task rows, domain rows), or None when there is nothing to carry.

    Reads earlier quarters newest first and keeps, per unit, the rows of the latest quarter in
    which it had an accepted return."""
    tasks, domains, seen = [], [], set()
    everyone = set(reference.reporting_units["unit_id"])
    for q in reversed([q for q in workspace.quarters() if q < quarter]):
        rec = reconcile(intake(workspace.quarter_inputs(q), reference, q), reference, q)
        fresh = set(rec.ledger.loc[rec.ledger["state"] == "accepted", "unit_id"].dropna()) - seen
        tasks.append(rec.task_progress[rec.task_progress["unit_id"].isin(fresh)])
        domains.append(rec.domain_progress[rec.domain_progress["unit_id"].isin(fresh)])
        seen |= fresh
        if seen >= everyone:
            break
    if not seen:
        return None
    return pd.concat(tasks, ignore_index=True), pd.concat(domains, ignore_index=True)
