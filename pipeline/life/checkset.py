"""The check outputs (问题清单.xlsx, 反馈/, 报送情况.xlsx), written by check, run, receive,
status and remind through one function, so that they always agree."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .. import manifest as M
from .. import stages
from ..check import CheckReport, check_quarter, order_issues, summarise, write_issue_list
from ..dates import Quarter
from ..errors import writing
from ..outputs import staged_dir
from ..reference import Reference
from ..render.feedback import write_feedback
from ..result import QuarterResult
from ..workspace import KEPT_OUTPUTS, Workspace
from .frozen import QuarterPublished, _published_text
from .status import STATUS_WORKBOOK, write_status_workbook

CHECK_SET = ("问题清单.xlsx", "反馈", STATUS_WORKBOOK)


def report_of(result: QuarterResult) -> CheckReport:
    """The check report of a run's result: the same issues, ledger and verdicts it scored."""
    issues = order_issues(result.issues, result.reference)
    return CheckReport(result.quarter, result.ledger, summarise(result.ledger, result.reference, issues),
                       result.reference, issues=issues, reconciliation=result.reconciliation,
                       as_of=result.as_of)


def write_check_set(report: CheckReport, out_dir: Path, today: dt.date | None = None,
                    cache_dir: Path | None = None) -> dict[str, Path]:
    """问题清单.xlsx, 反馈/<单位>.xlsx and 报送情况.xlsx in `out_dir` (a staged folder);
    `cache_dir` (outputs/.cache): feedback workbooks written before are copied from there."""
    out_dir = Path(out_dir)

    paths = {"issues": out_dir / CHECK_SET[0], "feedback": out_dir / CHECK_SET[1],
             "status": out_dir / STATUS_WORKBOOK}

    def the_two_workbooks() -> None:  # while the feedback's other writer, where there is one, starts
        write_issue_list(report, paths["issues"])
        write_status_workbook(report, paths["status"], today)

    # Verdicts only for units that sent a return (a unit without one is on the 催报 list, not
    # told its verdicts); with the ledger, a unit whose only file was rejected is never told
    # its return is free of problems.
    led = report.ledger
    sent = set(led.loc[led["state"] == "accepted", "unit_id"].dropna())
    recon = report.reconciliation
    if recon is not None:
        recon = recon[recon["unit_id"].isin(sent)]
    write_feedback(out_dir, report.reference, report.quarter, report.issues, recon, led, cache_dir=cache_dir,
                   first=the_two_workbooks)
    return paths


def write_check_outputs(workspace: Workspace, report: CheckReport, today: dt.date | None = None,
                        inputs_dir: Path | None = None) -> tuple[dict[str, Path], bool]:
    """Write the check set into outputs/<Q>/ in one swap; returns (paths, whether a run's
    outputs were dropped because the inputs they describe have changed since).

    A run's outputs are kept while outputs/<Q>/manifest.json records the inputs there are now;
    a published quarter is not touched at all (QuarterPublished)."""

    out = workspace.quarter_outputs(report.quarter)
    recorded = M.read(out)
    if M.published(recorded):
        raise QuarterPublished(_published_text(report.quarter, recorded)
                               + "，本次未改动其输出；检查结果见上。")
    keep = set(KEPT_OUTPUTS)
    dropped = False
    if recorded is not None:
        current = M.file_hashes(inputs_dir or workspace.quarter_inputs(report.quarter))
        if recorded.get("inputs") == current:
            keep |= {p.name for p in out.iterdir()} - set(CHECK_SET)
        else:
            dropped = True
    with writing(out), staged_dir(out, keep=keep) as stage:
        paths = write_check_set(report, stage, today, cache_dir=workspace.cache_dir)
    return {k: out / p.relative_to(stage) for k, p in paths.items()}, dropped


def check_workspace(workspace: Workspace, quarter: Quarter, reference: Reference,
                    on_file=None) -> CheckReport:
    """The check report of inputs/<Q>/ as `run` computes it (the same issues, with the
    catalogue audit's and the consistency warnings against the quarter before), so that
    `check` and `run` write the same 问题清单 and 反馈/."""

    return report_of(stages.compute_quarter(workspace, quarter, reference, on_file=on_file, summary=False,
                                            scored=False))


def check_folder(folder: Path, reference: Reference, quarter: Quarter, on_file=None) -> CheckReport:
    """A folder outside a workspace: its returns alone (no earlier quarters to compare with)."""
    return check_quarter(folder, reference, quarter, on_file=on_file)
