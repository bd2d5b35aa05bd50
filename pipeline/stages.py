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
from . import schemas
from .crossq import cross_quarter_issues, cross_quarter_tables, history
from .dates import Quarter
from .errors import ZwgkError
from .ingest import Intake, read_returns
from .reconcile import Reconciled, reconciled
from .reference import Reference
from .result import QuarterResult
from .scoring import scores
from .stored import CORE, SCORES_ONLY, recompute_reason, stored_quarter, usable
from .summary import with_summary
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
              as_of: dt.date | None = None, earlier: pd.DataFrame | None = None) -> Reconciled:
    """Reconcile: the ledger decided, the verdicts and every issue so far. `earlier`: the
    returns accepted in earlier quarters (`earlier_returns`, `accepted_before`)."""
    return reconciled(read, reference, quarter, as_of or as_of_default(reference, quarter), earlier)


# --- returns accepted in earlier quarters (a stale return is one of them sent again) --------
_EARLIER = ["sha256", "quarter"]


def accepted_before(previous: QuarterResult | None) -> pd.DataFrame:
    """(sha256, quarter) of the returns accepted in `previous` and the quarters before it."""
    rows = []  # plain tuples: a long history is a dozen small ledgers, a frame each cost more
    while previous is not None:
        led = previous.ledger
        rows += [(sha, quarter) for state, sha, quarter in zip(*(led[c].tolist() for c in ("state", *_EARLIER)),
                                                               strict=True)
                 if str(state) == "accepted" and not (pd.isna(sha) or pd.isna(quarter))]
        previous = previous.previous
    return _earlier_frame([pd.DataFrame(rows, columns=_EARLIER, dtype="object")])


def earlier_returns(folder: Path, reference: Reference, quarter: Quarter) -> pd.DataFrame:
    """(sha256, quarter) of the returns accepted before `quarter` in the workspace `folder`
    belongs to: each earlier quarter's stored ledger (outputs/<Q>/data/ledger.parquet) where
    it was run, else its input folder read again (ledger only). Empty outside a workspace."""
    from .reconcile import ledger

    workspace, named = Workspace.locate(folder)
    if named != quarter or Path(folder).resolve() != workspace.quarter_inputs(quarter).resolve():
        return _earlier_frame([])
    frames = []
    for q in [q for q in workspace.quarters() if q < quarter]:
        stored = workspace.data_dir(q) / "ledger.parquet"
        if stored.is_file():
            led = pd.read_parquet(stored, columns=["sha256", "state"])
        else:
            read = intake(workspace.quarter_inputs(q), reference, q, workspace.cache_dir)
            led, _ = ledger(read.files, reference, q, as_of_default(reference, q))
        frames.append(led.loc[led["state"] == "accepted", ["sha256"]].assign(quarter=str(q)))
    return _earlier_frame(frames)


def _earlier_frame(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in _EARLIER})
    out = pd.concat(frames, ignore_index=True).astype("string").dropna()
    return out[out["sha256"] != ""].drop_duplicates("sha256").reset_index(drop=True)


def score(rec: Reconciled, reference: Reference, quarter: Quarter, as_of: dt.date | None = None,
          previous_scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score: the ranked units of a reconciled quarter; `previous_scores` give rank changes."""
    return scores(rec.reconciliation, rec.domain_reconciliation, rec.ledger, rec.issues, reference,
                  quarter, as_of or as_of_default(reference, quarter), previous_scores)


def quarter_result(read: Intake, reference: Reference, quarter: Quarter, as_of: dt.date | None = None,
                   previous: QuarterResult | None = None, scored: bool = True) -> QuarterResult:
    """Reconcile and score one quarter; `previous` supplies last quarter's ranks and, with the
    quarters before it, the returns already accepted (one sent again is stale). `scored=False`
    leaves the scores empty (a check ranks nobody)."""
    as_of = as_of or as_of_default(reference, quarter)
    rec = reconcile(read, reference, quarter, as_of, accepted_before(previous))
    ranked = (score(rec, reference, quarter, as_of, previous.scores if previous else None) if scored
              else schemas.empty("scores"))
    return QuarterResult(quarter, as_of, reference, rec.ledger, rec.task_progress, rec.domain_progress,
                         rec.issues, rec.reconciliation, rec.domain_reconciliation, ranked,
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
    extra = result.extra | {"catalogue_items": audit.items, "catalogue_audit": audit.audit,
                            "catalogue_files": audit.files}
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


def with_consistency(results: list[QuarterResult]) -> QuarterResult:
    """The last of `results` with the consistency warnings against the quarter before (the
    issues `with_cross_quarter` adds, without its tables)."""
    current = results[-1]
    return dataclasses.replace(current, issues=pd.concat([current.issues, cross_quarter_issues(results)],
                                                         ignore_index=True))


def with_cross_quarter(results: list[QuarterResult]) -> QuarterResult:
    """The last of `results` with history, rectification, changes, score changes and the
    consistency warnings against the quarter before."""
    current = with_consistency(results)
    sup = current.superseded
    tables = cross_quarter_tables(results, sup.get("task_progress"), sup.get("domain_progress"))
    changes = tables.pop("score_changes")
    scored = current.scores.merge(changes, on="unit_id", how="left")
    return dataclasses.replace(current, scores=scored, extra=current.extra | tables)


def compute_quarters(workspace: Workspace, quarters: Iterable[Quarter], reference: Reference,
                     as_of: dt.date | None = None, cache: bool = True, stored: bool = True,
                     on_file: Callable[[str], None] | None = None,
                     notify: Callable[[str], None] | None = None,
                     hashes: dict | None = None,
                     on_scored: Callable[[QuarterResult], None] | None = None,
                     summary: bool = True, scored: bool = True) -> Iterable[QuarterResult]:
    """Yield the full result of each quarter in `quarters` (ascending), each read against the
    quarters in inputs/ before it. `as_of` applies to the last quarter only; `on_file(name)`
    is called after each file read (for a progress bar); `summary=False` leaves out the
    通报's figures (`check` writes no 通报); `scored=False` leaves the last quarter unscored and
    without the cross-quarter tables, with its issues as a run finds them (`check` ranks nobody;
    the quarters before it are scored as ever).

    An earlier quarter that is published, or whose stored tables were made from the same
    inputs (outputs/<Q>/manifest.json), is read back from outputs/<Q>/data/ (`stored`), so
    later quarters compare with the ranks and criticisms that were published and a run costs
    one quarter however long the history. An earlier quarter that must be computed again is
    said, in Chinese, to `notify`. `hashes` (quarter → file hashes of its inputs, as
    `manifest.quarter_hashes` remembers them) spares hashing again what the caller hashed.
    `on_scored(result)` hears of the last quarter as soon as it is scored, with its history
    but before the catalogue audit, the cross-quarter tables and the summary: its scores,
    verdicts and history are final then (the charts need no more: `ChartProcess.begin`).

    Each quarter is computed once, in order, so that rank changes, the rectification of last
    quarter's criticism and the history see the same numbers the earlier bulletins printed.
    """
    wanted = sorted(set(quarters))
    if not wanted:
        return
    every = [q for q in sorted(set(workspace.quarters()) | set(wanted)) if q <= wanted[-1]]
    cache_dir = workspace.cache_dir if cache else None
    done: list[QuarterResult] = []
    hashes = {} if hashes is None else hashes  # input hashes by quarter, for the stored quarters' checks
    # Earlier quarters that are published, or stored from the same inputs, are read back: the
    # one before a computed quarter whole, those further back only for their scores.
    kept_as = {q: usable(workspace, q, reference, as_of_default(reference, q), hashes)
               for q in every if stored and q not in wanted}
    partial: set[Quarter] = set()
    for i, q in enumerate(every):
        if kept_as.get(q) is not None:
            whole = i + 1 < len(every) and kept_as.get(every[i + 1]) is None
            kept = stored_quarter(workspace, q, reference, as_of_default(reference, q),
                                  done[-1] if done else None, hashes,
                                  CORE if whole else SCORES_ONLY, kept_as[q])
            if kept is not None:
                done.append(kept)
                if not whole:
                    partial.add(q)
                continue
        if stored and q not in wanted and notify:
            notify(recompute_reason(workspace, q))
        if done and done[-1].quarter in partial:  # read for its scores only: now it is compared with
            prev = done[-1].quarter
            done[-1] = stored_quarter(workspace, prev, reference, as_of_default(reference, prev),
                                      done[-2] if len(done) > 1 else None, hashes, CORE, kept_as[prev])
        day = as_of if q == wanted[-1] else None
        read = intake(workspace.quarter_inputs(q), reference, q, cache_dir,
                      on_file if q == wanted[-1] else None)
        checked = not scored and q == wanted[-1]  # a check's quarter: its issues and verdicts only
        base = quarter_result(read, reference, q, day, done[-1] if done else None, scored=not checked)
        if on_scored is not None and q == wanted[-1]:
            on_scored(dataclasses.replace(base, extra=base.extra | {"history": history(done + [base])}))
        base = with_catalogue(base, workspace.catalogue_dir(q))
        base = with_township_summary(base, workspace.quarter_inputs(q))
        full = with_consistency(done + [base]) if checked else with_cross_quarter(done + [base])
        done.append(base)
        if q in wanted:
            yield with_summary(full) if summary else full


def compute_quarter(workspace: Workspace, quarter: Quarter, reference: Reference,
                    as_of: dt.date | None = None, cache: bool = True, stored: bool = True,
                    on_file: Callable[[str], None] | None = None,
                    notify: Callable[[str], None] | None = None,
                    hashes: dict | None = None,
                    on_scored: Callable[[QuarterResult], None] | None = None,
                    summary: bool = True, scored: bool = True) -> QuarterResult:
    """Every table of one quarter, read against the quarters before it; writes nothing.
    `on_file(name)` after each file of `quarter` is read (a progress bar); `hashes`,
    `on_scored`, `summary` and `scored` as for `compute_quarters`."""
    (result,) = compute_quarters(workspace, [quarter], reference, as_of, cache, stored, on_file, notify,
                                 hashes, on_scored, summary, scored)
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
        folder = workspace.quarter_inputs(q)
        # the same decisions as that quarter's run: an older quarter's file resent is not carried
        rec = reconcile(intake(folder, reference, q, workspace.cache_dir), reference, q,
                        earlier=earlier_returns(folder, reference, q))
        fresh = set(rec.ledger.loc[rec.ledger["state"] == "accepted", "unit_id"].dropna()) - seen
        tasks.append(rec.task_progress[rec.task_progress["unit_id"].isin(fresh)])
        domains.append(rec.domain_progress[rec.domain_progress["unit_id"].isin(fresh)])
        seen |= fresh
        if seen >= everyone:
            break
    if not seen:
        return None
    return pd.concat(tasks, ignore_index=True), pd.concat(domains, ignore_index=True)
