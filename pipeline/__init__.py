"""zwgk — 三门峡市基层政务公开标准化规范化季度报送流水线（库 + 命令行）.

The notebook API (every function returns DataFrames with the columns of docs/数据说明.md)::

    from pipeline import load_reference, read_returns, reconcile, score, run_quarter, load_tables
    ref = load_reference()
    intake = read_returns("inputs/2021Q1", ref)              # files, task_progress, ... as read
    rec = reconcile(intake, ref, "2021Q1")                   # ledger, reconciliation, issues, ...
    sc = score(intake, ref, "2021Q1")                        # ranked units
    result = compute_quarter(".", "2021Q1")                  # every table, nothing written
    result, paths = run_quarter(".", "2021Q1")              # everything, written to outputs/
    tables = load_tables(".", "2021Q1")                      # read back outputs/<Q>/data/

Each function parses the quarter and finds the workspace, then calls `pipeline.stages`. The
imports are inside the functions because the CLI imports this package: `zwgk --help` must not
pay for pandas.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["load_reference", "read_returns", "reconcile", "score", "run_quarter",
           "compute_quarter", "load_tables", "list_quarters"]


def load_reference(folder=None):
    """Units, tasks, domains and settings (validated); `folder` overrides the shipped set."""
    from .reference import load_reference as _load

    return _load(folder)


def read_returns(folder, reference=None, quarter=None):
    """Read every file of `folder` (inputs/<Q>/) → Intake(files, task_progress, domain_progress,
    issues), as read: which file counts is decided by `reconcile`."""
    from pathlib import Path

    from . import stages
    from .workspace import Workspace

    _, named = Workspace.locate(folder)
    return stages.intake(Path(folder), reference or load_reference(), _quarter(quarter or named, folder))


def reconcile(intake, reference, quarter, as_of=None):
    """The decided tables of an Intake: ledger, task_progress, domain_progress, reconciliation
    (unit × applicable task, with verdicts), domain_reconciliation, issues."""
    from . import stages

    return stages.reconcile(intake, reference, _quarter(quarter), as_of)


def score(intake, reference, quarter, as_of=None, previous=None):
    """The `scores` table (ranked units) for an Intake; `previous` = last quarter's scores."""
    from . import stages

    q = _quarter(quarter)
    return stages.score(stages.reconcile(intake, reference, q, as_of), reference, q, as_of, previous)


def compute_quarter(workspace, quarter, reference=None, as_of=None):
    """Every table of one quarter as a QuarterResult, without writing anything. Without
    `reference`: the workspace's own reference/ (a county's) or the shipped set."""
    from . import stages
    from .workspace import Workspace

    ws, _ = Workspace.locate(workspace)
    return stages.compute_quarter(ws, _quarter(quarter), reference or load_reference(ws.reference_dir), as_of)


def run_quarter(workspace, quarter, reference=None, as_of=None):
    """Compute one quarter and write outputs/<Q>/ → (QuarterResult, {name: path})."""
    from .run import run_quarter as _run
    from .workspace import Workspace

    ws, _ = Workspace.locate(workspace)
    return _run(ws, _quarter(quarter), reference or load_reference(ws.reference_dir), as_of)


def list_quarters(workspace):
    """The quarters under workspace/inputs/ that hold returns, oldest first."""
    from .workspace import Workspace

    return Workspace.locate(workspace)[0].quarters()


def load_tables(workspace, quarter):
    """Read back outputs/<Q>/data/*.parquet → {table name: DataFrame}."""
    import pandas as pd

    from .workspace import Workspace

    data = Workspace.locate(workspace)[0].data_dir(_quarter(quarter))
    return {p.stem: pd.read_parquet(p) for p in sorted(data.glob("*.parquet"))}


def _quarter(text, folder=None):
    from .dates import parse_quarter

    if text is None:
        raise ValueError(f"无法从“{folder}”识别季度，请指定 quarter，如 \"2021Q1\"")
    return parse_quarter(text)
