"""Read a quarter's folder of returns into the four ingest tables (the `Intake`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import names as N
from ..dates import Quarter
from ..issues import Issue, issues_frame
from ..reference import Reference
from .ledger import build_ledger, match_log, read_receipt_log
from .returns import ParsedReturn, _frame, read_return


@dataclass
class Intake:
    """What ingest hands on: columns as in schemas.TABLE_COLUMNS."""

    ledger: pd.DataFrame
    task_progress: pd.DataFrame
    domain_progress: pd.DataFrame
    issues: pd.DataFrame
    # Rows of superseded returns: not counted anywhere, kept for the version audit (crossq.changes).
    superseded_task_progress: pd.DataFrame | None = None
    superseded_domain_progress: pd.DataFrame | None = None


def list_inputs(folder: str | Path) -> list[Path]:
    """Every candidate return in the folder, sorted: all non-hidden entries except the receipt
    log, the 目录/ folder and Office lock files (~$…), which are not returns."""
    folder = Path(folder)
    out = []
    for p in sorted(folder.iterdir(), key=lambda p: p.name):
        if p.name.startswith((".", "~$")) or p.name in (N.RECEIPT_LOG, N.CATALOGUE_DIR):
            continue
        out.append(p)
    return out


def _parse(path: Path, folder: Path, reference: Reference, quarter: Quarter) -> ParsedReturn:
    name = path.relative_to(folder).as_posix()
    if path.is_dir():
        p = ParsedReturn(file=name + "/")
        p.reason = "季度目录下的子文件夹不会读取，请将报表文件直接放在季度目录下"
        p.issues.append(Issue(code="file-unreadable", message=p.reason, file=p.file, quarter=str(quarter)))
        return p
    return read_return(path, reference, quarter, name=name)


def read_returns(folder: str | Path, reference: Reference, quarter: Quarter,
                 on_file: Callable[[str], None] | None = None) -> Intake:
    """Read every file of `inputs/<QUARTER>/`; one bad file never stops the others.

    `on_file(name)` is called after each file (for a progress bar).
    """
    folder = Path(folder)
    parsed = []
    for path in list_inputs(folder):
        parsed.append(_parse(path, folder, reference, quarter))
        if on_file:
            on_file(path.name)
    log, log_issues = read_receipt_log(folder, quarter)
    received, unmatched = match_log(log, [p.file for p in parsed])
    log_issues += [Issue(code="receipt-log-bad", severity="warning", file=N.RECEIPT_LOG, quarter=str(quarter),
                         message=f"收文登记中的文件“{name}”在本季度目录中找不到，请核对文件名")
                   for name in unmatched]
    ledger, ledger_issues = build_ledger(parsed, received, reference, quarter)
    accepted = set(ledger.loc[ledger["state"] == "accepted", "file"])
    superseded = set(ledger.loc[ledger["state"] == "superseded", "file"])
    issues = log_issues + [i for p in parsed for i in p.issues] + ledger_issues

    def rows(files: set[str], kind: str) -> list[dict]:
        return [r for p in parsed if p.file in files for r in getattr(p, kind)]

    return Intake(  # one frame per table (not per file): pandas construction dominates otherwise
        ledger=ledger,
        task_progress=_frame("task_progress", rows(accepted, "task_rows")),
        domain_progress=_frame("domain_progress", rows(accepted, "domain_rows")),
        issues=issues_frame(issues),
        superseded_task_progress=_frame("task_progress", rows(superseded, "task_rows")),
        superseded_domain_progress=_frame("domain_progress", rows(superseded, "domain_rows")),
    )
