"""Orchestration: one quarter from inputs/ to outputs/, read against the quarters before it.

`compute_quarters` is pure apart from reading inputs; `run_quarter` also writes everything.
Each quarter is computed once, in order, so that rank changes, the rectification of last
quarter's criticism and the history see the same numbers the earlier bulletins printed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from . import names as N
from . import schemas
from .chart_process import ChartProcess
from .dates import Quarter, parse_quarter
from .errors import ZwgkError
from .reference import Reference, load_reference
from .result import QuarterResult
from .scoring import scores
from .summary import summary
from .verdicts import domain_issues, domain_reconciliation, reconciliation, reconciliation_issues

RETURN_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
CACHE_DIR = ".cache"  # under outputs/: parsed returns by file hash (safe to delete)


class RunError(ZwgkError):
    """A usage problem the CLI reports in Chinese (missing folder, bad quarter)."""


def quarters_in(workspace: Path) -> list[Quarter]:
    """Quarters under inputs/ that hold at least one file that looks like a return."""
    found = []
    inputs = Path(workspace) / "inputs"
    if not inputs.is_dir():
        return []
    for folder in inputs.iterdir():
        try:
            q = parse_quarter(folder.name)
        except ValueError:
            continue
        if folder.is_dir() and any(f.suffix.lower() in RETURN_SUFFIXES for f in folder.iterdir()):
            found.append(q)
    return sorted(found)


def quarter_folder(workspace: Path, quarter: Quarter) -> Path:
    """inputs/2021Q1 (or an accepted spelling such as inputs/2021-Q1)."""
    inputs = Path(workspace) / "inputs"
    if inputs.is_dir():
        for folder in sorted(inputs.iterdir()):
            try:
                if folder.is_dir() and parse_quarter(folder.name) == quarter:
                    return folder
            except ValueError:
                continue
    return inputs / str(quarter)


def _read(folder: Path, reference: Reference, quarter: Quarter, cache_dir: Path | None):
    from .ingest import read_returns

    return read_returns(folder, reference, quarter, cache_dir=cache_dir)


def compute_one(workspace: Path, quarter: Quarter, reference: Reference, as_of: dt.date | None = None,
                previous: QuarterResult | None = None, cache_dir: Path | None = None) -> QuarterResult:
    """Read, reconcile and score one quarter; `previous` supplies last quarter's ranks."""
    folder = quarter_folder(workspace, quarter)
    if not folder.is_dir():
        raise RunError(f"找不到本季度报表目录：{folder}")
    as_of = as_of or quarter.due_date(reference.settings["reporting"]["due_day"])
    intake = _read(folder, reference, quarter, cache_dir)
    recon = reconciliation(intake.task_progress, intake.ledger, reference, quarter, as_of)
    dom = domain_reconciliation(intake.domain_progress, intake.ledger, reference, quarter, as_of)
    issues = pd.concat([intake.issues, reconciliation_issues(recon), domain_issues(dom, reference)],
                       ignore_index=True)
    scored = scores(recon, dom, intake.ledger, issues, reference, quarter, as_of,
                    previous.scores if previous else None)
    return QuarterResult(quarter, as_of, reference, intake.ledger, intake.task_progress,
                         intake.domain_progress, issues, recon, dom, scored, previous=previous,
                         superseded=intake_superseded(intake))


def intake_superseded(intake) -> dict[str, pd.DataFrame]:
    """Rows of superseded files (for the version audit), where ingest hands them on."""
    return {k: getattr(intake, f"superseded_{k}") for k in ("task_progress", "domain_progress")
            if getattr(intake, f"superseded_{k}", None) is not None}


def with_catalogue(result: QuarterResult, folder: Path) -> QuarterResult:
    """Add the standard-catalogue audit of inputs/<Q>/目录/ when the folder exists.

    Catalogue problems are listed with the issues but are not errors of the return, so they
    are added after scoring and do not touch the quality part.
    """
    cat_dir = folder / N.CATALOGUE_DIR
    if not cat_dir.is_dir():
        return result
    from .catalogue import audit_catalogues

    audit = audit_catalogues(cat_dir, result.reference, result.quarter, result.domain_progress)
    issues = pd.concat([result.issues, _prefixed(audit.issues)], ignore_index=True)
    extra = result.extra | {"catalogue_items": audit.items, "catalogue_audit": audit.audit}
    return dataclasses.replace(result, issues=issues, extra=extra)


def _prefixed(issues: pd.DataFrame) -> pd.DataFrame:
    """Catalogue issue files are relative to 目录/; name them from the quarter folder."""
    files = issues["file"].fillna("")
    return issues.assign(file=files.where(files == "", N.CATALOGUE_DIR + "/" + files))


def with_cross_quarter(results: list[QuarterResult]) -> QuarterResult:
    """The last of `results` with history, rectification, changes, score changes and the
    consistency warnings against the quarter before."""
    from .crossq import cross_quarter_issues, cross_quarter_tables

    current = results[-1]
    sup = current.superseded
    tables = cross_quarter_tables(results, sup.get("task_progress"), sup.get("domain_progress"))
    changes = tables.pop("score_changes")
    scored = current.scores.merge(changes, on="unit_id", how="left")
    issues = pd.concat([current.issues, cross_quarter_issues(results)], ignore_index=True)
    return dataclasses.replace(current, scores=scored, issues=issues, extra=current.extra | tables)


def compute_quarters(workspace: str | Path, quarters: Iterable[Quarter], reference: Reference,
                     as_of: dt.date | None = None, cache_dir: Path | None = None
                     ) -> Iterable[QuarterResult]:
    """Yield the full result of each quarter in `quarters` (ascending), each read against the
    quarters in inputs/ before it. `as_of` applies to the last quarter only."""
    workspace = Path(workspace)
    wanted = sorted(set(quarters))
    if not wanted:
        return
    every = sorted(set(quarters_in(workspace)) | set(wanted))
    every = [q for q in every if q <= wanted[-1]]
    done: list[QuarterResult] = []
    for q in every:
        day = as_of if q == wanted[-1] else None
        base = compute_one(workspace, q, reference, day, done[-1] if done else None, cache_dir)
        base = with_catalogue(base, quarter_folder(workspace, q))
        full = with_cross_quarter(done + [base])
        done.append(base)
        if q in wanted:
            yield dataclasses.replace(full, extra=full.extra | {"summary": summary(full)})


def compute_quarter(workspace: str | Path, quarter, reference: Reference | None = None,
                    as_of: dt.date | None = None, cache_dir: Path | None = None) -> QuarterResult:
    """Every table of one quarter, read against the quarters before it; writes nothing."""
    reference = reference or load_reference()
    (result,) = compute_quarters(workspace, [parse_quarter(quarter)], reference, as_of, cache_dir)
    return result


def write_outputs(result: QuarterResult, out_dir: Path, charts: ChartProcess | None = None
                  ) -> dict[str, Path]:
    """Every output of DESIGN §5 under out_dir (outputs/<Q>/); returns the main paths.
    `charts`: a ChartProcess started earlier (one is started here otherwise).

    The set is written into a staging folder that then takes the place of out_dir, so a run that
    fails or is killed midway leaves the previous outputs as they were, whole."""
    from .outputs import staged_dir

    out_dir = Path(out_dir)
    with staged_dir(out_dir) as stage:
        paths = _write_all(result, stage, charts)
    return {k: out_dir / p.relative_to(stage) for k, p in paths.items()}


def _write_all(result: QuarterResult, out_dir: Path, charts: ChartProcess | None) -> dict[str, Path]:
    from .outputs import write_table

    charts = charts or ChartProcess.start()
    if charts:
        charts.draw(result, out_dir / "charts")  # first: the charts are the longest output
    data = out_dir / "data"
    try:
        for name, frame in result.tables().items():
            if name in schemas.TABLE_COLUMNS:
                schemas.check(name, frame)
            write_table(frame, data, name)
        return {"data": data} | render_outputs(result, out_dir, charts)
    except BaseException:
        if charts:  # the chart process finishes (and ends) before the staging folder goes
            charts.close()
        raise


def render_outputs(result: QuarterResult, out_dir: Path, charts: ChartProcess | None = None
                   ) -> dict[str, Path]:
    """The bulletin set (charts, 通报 .docx and .xlsx), the catalogue audit and the feedback.

    `charts`: a ChartProcess already drawing this result into out_dir/charts while the
    workbooks are written (see _write_all); None draws them here."""
    from .outputs import atomic_path
    from .render.bulletin_docx import prepare_bulletin, render_bulletin_docx
    from .render.feedback import FEEDBACK_DIR, write_feedback
    from .render.workbook import render_ranking_workbook

    q = str(result.quarter)
    paths = {"charts": out_dir / "charts"}
    xlsx = out_dir / f"通报_{q}.xlsx"
    with atomic_path(xlsx) as tmp:
        render_ranking_workbook(result, tmp)
    paths["workbook"] = xlsx
    if "catalogue_audit" in result.extra:
        from .catalogue import CatalogueAudit, write_catalogue_workbook

        cat_issues = result.issues[result.issues["file"].fillna("").str.startswith(N.CATALOGUE_DIR + "/")]
        audit = CatalogueAudit(result.extra["catalogue_items"], result.extra["catalogue_audit"], cat_issues)
        paths["catalogue"] = write_catalogue_workbook(audit, result.reference,
                                                      out_dir / N.CATALOGUE_WORKBOOK)
    write_feedback(out_dir, result.reference, result.quarter, result.issues, result.reconciliation,
                   result.ledger)
    paths["feedback"] = out_dir / FEEDBACK_DIR
    prepared = prepare_bulletin(result)  # meanwhile the chart process may still be drawing
    if charts:
        drawn = charts.wait()
    else:
        from .render.charts import render_charts  # matplotlib: only where it draws

        drawn = render_charts(result, out_dir / "charts")
    docx = out_dir / f"通报_{q}.docx"
    with atomic_path(docx) as tmp:
        render_bulletin_docx(result, tmp, drawn, prepared=prepared)
    paths["bulletin"] = docx
    return paths


def run_quarter(workspace: str | Path, quarter, reference: Reference | None = None,
                as_of: dt.date | None = None, doc_number: str | None = None,
                date: dt.date | None = None) -> tuple[QuarterResult, dict[str, Path]]:
    """Compute one quarter and write outputs/<Q>/; returns the result and the output paths.
    `doc_number` (文号) and `date` (成文日期) of the 通报 override the settings for this run."""
    workspace = Path(workspace)
    quarter = parse_quarter(quarter)
    reference = reference or load_reference()
    if doc_number is not None or date is not None:
        from .render.bulletin_docx import with_header

        reference = with_header(reference, doc_number, date)
    charts = ChartProcess.start()  # warms up matplotlib while the quarter is computed
    try:
        result = compute_quarter(workspace, quarter, reference, as_of, workspace / "outputs" / CACHE_DIR)
        paths = write_outputs(result, workspace / "outputs" / str(quarter), charts)
    finally:
        if charts:
            charts.close()
    return result, paths


def run_demo(workspace: str | Path, reference: Reference | None = None, seed: int = 2020):
    """Write the demo quarters into workspace/inputs/ and run each; yields (result, paths)."""
    from .demo import write_demo

    workspace = Path(workspace)
    reference = reference or load_reference()
    quarters = write_demo(workspace, reference, seed=seed)
    results = compute_quarters(workspace, quarters, reference, cache_dir=workspace / "outputs" / CACHE_DIR)
    while True:
        charts = ChartProcess.start()  # one per quarter, warming up while it is computed
        try:
            result = next(results, None)
            if result is None:
                return
            paths = write_outputs(result, workspace / "outputs" / str(result.quarter), charts)
        finally:
            if charts:
                charts.close()
        yield result, paths
