"""The county side of the roll-up: its townships' figures and the summary return for the city.

A county's `run` writes `outputs/<Q>/上报/<县>_汇总_<Q>.xlsx`: the city's template for the county
(its own tasks, which the county fills in as for any quarter) plus a 乡镇汇总 sheet with the
townships' figures, which the city's `run` reads into its `township_summary` table.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from .. import names as N
from ..dates import Quarter
from ..reference import Reference, load_reference
from ..result import QuarterResult


def township_figures(result: QuarterResult) -> pd.DataFrame:
    """One row per township (the county's base units): reported, on time, tasks due (with a
    deadline passed by the as-of date) and done (on time or late),
    catalogue duties and catalogues published, total and grade; in reference order."""
    ref = result.reference
    s = result.scores[result.scores["group"] == "base"]
    duties = ref.domain_duties
    duties = duties[(duties["kind"] == "catalogue")].groupby("unit_id").size()
    dr = result.domain_reconciliation
    published = dr[(dr["kind"] == "catalogue") & (dr["status"] == "published")].groupby("unit_id").size()
    order = ref.units.set_index("unit_id")["order"]
    # Tasks with a deadline that has passed, as the 通报 counts them (ongoing tasks apart).
    rec = result.reconciliation
    dated = rec[rec["due"].astype(bool) & rec["deadline"].notna()]
    due = dated.groupby("unit_id").size()
    done = dated[dated["verdict"].isin(["on_time", "late"])].groupby("unit_id").size()
    out = pd.DataFrame({
        "unit_id": s["unit_id"], "short_name": s["short_name"],
        "reported": s["has_return"].astype(bool), "on_time": s["on_time"].astype(bool),
        "tasks_due": s["unit_id"].map(due).fillna(0).astype(int),
        "tasks_done": s["unit_id"].map(done).fillna(0).astype(int),
        "catalogue_due": s["unit_id"].map(duties).fillna(0).astype(int),
        "catalogue_done": s["unit_id"].map(published).fillna(0).astype(int),
        "total": s["total"], "grade": s["grade"], "order": s["unit_id"].map(order),
    })
    return out.sort_values("order", kind="stable").drop(columns="order").reset_index(drop=True)


def rollup_totals(figures: pd.DataFrame) -> dict[str, int]:
    """The county's figures for the city: sums over its townships."""
    return {"townships": len(figures), "reporting": int(figures["reported"].sum()),
            "on_time": int(figures["on_time"].sum()), "tasks_due": int(figures["tasks_due"].sum()),
            "tasks_done": int(figures["tasks_done"].sum()),
            "catalogue_due": int(figures["catalogue_due"].sum()),
            "catalogue_done": int(figures["catalogue_done"].sum())}


def rollup_sheet(ws, county_name: str, quarter: Quarter, figures: pd.DataFrame) -> None:
    """Fill the 乡镇汇总 sheet: a figures block (label, value) the city reads, then the detail."""
    from openpyxl.styles import Font

    ws.cell(1, 1, f"{county_name}乡镇（街道）基层政务公开标准化规范化工作进展汇总（{quarter.label}）").font = Font(bold=True)
    ws.cell(2, 1, f"本表由 zwgk 根据各乡镇（街道）报表生成，请勿修改；本县自身的任务和试点领域请在"
                  f"“{N.SHEET_TASKS}”“{N.SHEET_DOMAINS}”工作表中填写，连同本表作为本县季度报表报送。")
    values = {"county": county_name, "quarter": str(quarter)} | rollup_totals(figures)
    for row, (field, label) in enumerate(N.ROLLUP_LABELS.items(), 3):
        ws.cell(row, 1, label)
        ws.cell(row, 2, values[field])
    start = 3 + len(N.ROLLUP_LABELS) + 1
    for col, head in enumerate(N.ROLLUP_DETAIL, 1):
        ws.cell(start, col, head).font = Font(bold=True)
    yes = {True: "是", False: "否"}
    for row, r in enumerate(figures.itertuples(), start + 1):
        for col, value in enumerate([r.short_name, yes[r.reported], yes[r.on_time] if r.reported else "",
                                     r.tasks_due, r.tasks_done, r.catalogue_due, r.catalogue_done,
                                     float(r.total), r.grade], 1):
            ws.cell(row, col, value)
    ws.column_dimensions["A"].width = 34
    for letter in "BCDEFGHI":
        ws.column_dimensions[letter].width = 14


def summary_workbook(result: QuarterResult, city: Reference | None = None, base=None,
                     generated_at: dt.datetime | None = None):
    """The summary return as an openpyxl Workbook: `base` (a filled return of the county, e.g.
    the demo's) or the city's blank template for the county, with the 乡镇汇总 sheet added
    after the task sheets. A county the city does not list gets the 乡镇汇总 sheet alone."""
    from openpyxl import Workbook

    from ..templates import build_template

    root = result.reference.settings.reporting.root_unit_id
    city = city or load_reference()
    known = root in city.unit_ids
    name = city.unit_name(root) if known else root
    wb = base if base is not None else (
        build_template(city, root, result.quarter, generated_at=generated_at) if known else Workbook())
    if base is None and not known:
        wb.active.title = N.SHEET_ROLLUP
        ws = wb.active
    else:
        after = [i for i, s in enumerate(wb.sheetnames) if s in (N.SHEET_TASKS, N.SHEET_DOMAINS)]
        ws = wb.create_sheet(N.SHEET_ROLLUP, (max(after) + 1) if after else None)
    rollup_sheet(ws, name, result.quarter, township_figures(result))
    return wb


def summary_filename(result: QuarterResult, city: Reference | None = None) -> str:
    root = result.reference.settings.reporting.root_unit_id
    city = city or load_reference()
    return N.ROLLUP_FILE.format(county=city.unit_name(root), quarter=result.quarter)


def write_summary(result: QuarterResult, folder: Path, city: Reference | None = None) -> Path:
    """Write the county's summary return into `folder` (outputs/<Q>/上报/); returns its path."""
    from ..outputs import atomic_path
    from ..templates import workbook_bytes

    city = city or load_reference()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / summary_filename(result, city)
    data = workbook_bytes(summary_workbook(result, city))
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
        tmp.chmod(0o644)
    return path
