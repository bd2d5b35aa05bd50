"""zwgk — 三门峡市基层政务公开标准化规范化季度报送流水线（库 + 命令行）.

The notebook API (every function returns DataFrames with the columns of DESIGN §4)::

    from pipeline import load_reference, read_returns, reconcile, score, run_quarter, load_tables
    ref = load_reference()
    intake = read_returns("inputs/2021Q1", ref, "2021Q1")   # ledger, task_progress, ...
    rec = reconcile(intake, ref, "2021Q1")                   # unit × task verdicts
    sc = score(intake, ref, "2021Q1")                        # ranked units
    result, paths = run_quarter(".", "2021Q1")              # everything, written to outputs/
    tables = load_tables(".", "2021Q1")                      # read back outputs/<Q>/data/

Imports are lazy so that `zwgk --help` stays fast.
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
    """Read every return in `folder` (inputs/<Q>/) → Intake(ledger, task_progress, domain_progress, issues)."""
    from pathlib import Path

    from .dates import parse_quarter
    from .ingest import read_returns as _read

    quarter = parse_quarter(quarter or Path(folder).name)
    return _read(Path(folder), reference or load_reference(), quarter)


def _as_of(reference, quarter, as_of):
    return as_of or quarter.due_date(reference.settings["reporting"]["due_day"])


def reconcile(intake, reference, quarter, as_of=None):
    """The `reconciliation` table (unit × applicable task, with verdicts) for an Intake."""
    from .dates import parse_quarter
    from .verdicts import reconciliation

    quarter = parse_quarter(quarter)
    return reconciliation(intake.task_progress, intake.ledger, reference, quarter,
                          _as_of(reference, quarter, as_of))


def score(intake, reference, quarter, as_of=None, previous=None):
    """The `scores` table (ranked units) for an Intake; `previous` = last quarter's scores."""
    import pandas as pd

    from .dates import parse_quarter
    from .scoring import scores
    from .verdicts import domain_issues, domain_reconciliation, reconciliation_issues

    quarter = parse_quarter(quarter)
    as_of = _as_of(reference, quarter, as_of)
    rec = reconcile(intake, reference, quarter, as_of)
    dom = domain_reconciliation(intake.domain_progress, intake.ledger, reference, quarter, as_of)
    issues = pd.concat([intake.issues, reconciliation_issues(rec), domain_issues(dom, reference)],
                       ignore_index=True)
    return scores(rec, dom, intake.ledger, issues, reference, quarter, as_of, previous)


def compute_quarter(workspace, quarter, reference=None, as_of=None):
    """Every table of one quarter as a QuarterResult, without writing anything."""
    from pathlib import Path

    from .dates import parse_quarter
    from .run import compute_quarter as _compute

    return _compute(Path(workspace), parse_quarter(quarter), reference or load_reference(), as_of)


def run_quarter(workspace, quarter, reference=None, as_of=None):
    """Compute one quarter and write outputs/<Q>/ → (QuarterResult, {name: path})."""
    from .run import run_quarter as _run

    return _run(workspace, quarter, reference, as_of)


def list_quarters(workspace):
    """The quarters under workspace/inputs/ that hold returns, oldest first."""
    from pathlib import Path

    from .run import quarters_in

    return quarters_in(Path(workspace))


def load_tables(workspace, quarter):
    """Read back outputs/<Q>/data/*.parquet → {table name: DataFrame}."""
    from pathlib import Path

    import pandas as pd

    from .dates import parse_quarter

    data = Path(workspace) / "outputs" / str(parse_quarter(quarter)) / "data"
    return {p.stem: pd.read_parquet(p) for p in sorted(data.glob("*.parquet"))}
