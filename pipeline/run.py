"""Orchestration: one quarter from inputs/ to outputs/, and the quarters before it.

`compute_quarter` is pure apart from reading inputs; `run_quarter` also writes everything.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from . import schemas
from .dates import Quarter, parse_quarter
from .verdicts import domain_issues, domain_reconciliation, reconciliation, reconciliation_issues
from .reference import Reference, load_reference
from .result import QuarterResult
from .scoring import scores

RETURN_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


class RunError(Exception):
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


def compute_quarter(workspace: Path, quarter: Quarter, reference: Reference,
                    as_of: dt.date | None = None, with_previous: bool = True) -> QuarterResult:
    """Read, reconcile and score one quarter (and, for rank changes, the one before)."""
    folder = quarter_folder(workspace, quarter)
    if not folder.is_dir():
        raise RunError(f"找不到本季度报表目录：{folder}")
    from .ingest import read_returns

    as_of = as_of or quarter.due_date(reference.settings["reporting"]["due_day"])
    intake = read_returns(folder, reference, quarter)
    recon = reconciliation(intake.task_progress, intake.ledger, reference, quarter, as_of)
    dom = domain_reconciliation(intake.domain_progress, intake.ledger, reference, quarter, as_of)
    issues = pd.concat([intake.issues, reconciliation_issues(recon), domain_issues(dom, reference)],
                       ignore_index=True)
    previous = None
    if with_previous:
        earlier = [q for q in quarters_in(workspace) if q < quarter]
        if earlier:
            previous = compute_quarter(workspace, earlier[-1], reference, with_previous=False)
    scored = scores(recon, dom, intake.ledger, issues, reference, quarter, as_of,
                    previous.scores if previous else None)
    return QuarterResult(quarter, as_of, reference, intake.ledger, intake.task_progress,
                         intake.domain_progress, issues, recon, dom, scored, previous=previous)


def write_outputs(result: QuarterResult, out_dir: Path) -> dict[str, Path]:
    """Every output of DESIGN §5 under out_dir (outputs/<Q>/); returns the main paths."""
    from .outputs import write_table

    data = out_dir / "data"
    for name, frame in result.tables().items():
        if name in schemas.TABLE_COLUMNS:
            schemas.validate(name, frame)
        write_table(frame, data, name)
    paths = {"data": data}
    paths.update(render_outputs(result, out_dir))
    return paths


def render_outputs(result: QuarterResult, out_dir: Path) -> dict[str, Path]:
    """The bulletin set and the per-unit feedback (render layer only formats)."""
    from .outputs import atomic_path
    from .render.workbook import render_ranking_workbook

    q = str(result.quarter)
    paths = {}
    xlsx = out_dir / f"通报_{q}.xlsx"
    with atomic_path(xlsx) as tmp:
        render_ranking_workbook(result, tmp)
    paths["workbook"] = xlsx
    return paths


def run_quarter(workspace: str | Path, quarter, reference: Reference | None = None,
                as_of: dt.date | None = None) -> tuple[QuarterResult, dict[str, Path]]:
    """Compute one quarter and write outputs/<Q>/; returns the result and the output paths."""
    workspace = Path(workspace)
    quarter = parse_quarter(quarter)
    reference = reference or load_reference()
    result = compute_quarter(workspace, quarter, reference, as_of)
    paths = write_outputs(result, workspace / "outputs" / str(quarter))
    return result, paths


def run_demo(workspace: str | Path, reference: Reference | None = None, seed: int = 2020):
    """Write the demo quarters into workspace/inputs/ and run each; yields (result, paths)."""
    from .demo import write_demo

    workspace = Path(workspace)
    reference = reference or load_reference()
    quarters = write_demo(workspace, reference, seed=seed)
    for quarter in quarters:
        yield run_quarter(workspace, quarter, reference)
