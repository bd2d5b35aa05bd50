"""The city side of the roll-up: read the 乡镇汇总 sheet of the counties' returns into the
`township_summary` table, and the texts the 通报 and workbook show of it (pure functions).

A summary return is the county's ordinary return with one more sheet, so ingest reads its own
tasks as usual; here only the accepted returns of base units are looked at, and a county that
sent no 乡镇汇总 sheet is simply absent from the table.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from .. import names as N
from ..issues import Issue, issues_frame
from ..reference import Reference
from ..schemas import TABLE_COLUMNS, empty
from ..textnorm import norm

WORKBOOK_XML_MAX = 1 << 20  # bytes of xl/workbook.xml read to look for the sheet name
COUNTS = ["townships", "reporting", "on_time", "tasks_due", "tasks_done", "catalogue_due", "catalogue_done"]


def _has_rollup_sheet(path: Path) -> bool:
    """Whether an .xlsx names a 乡镇汇总 sheet, from its workbook.xml alone (cheap: every base
    unit's return is asked, and only summaries are opened)."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("xl/workbook.xml")
            # Ingest accepted the file already; the cap only keeps this look cheap and safe.
            return info.file_size <= WORKBOOK_XML_MAX and N.SHEET_ROLLUP.encode() in zf.read(info)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, RuntimeError):
        return False


def _count(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer() and value >= 0:
        return int(value)
    text = norm(value)
    return int(text) if text.isdigit() else None


def read_rollup(path: Path, file: str, unit_id: str, reference: Reference, quarter
                ) -> tuple[dict | None, list[Issue]]:
    """The township_summary row of one summary return, or (None, issues) when its figures
    cannot be read (missing, not whole numbers, or done > due / reporting > townships)."""
    from ..ingest.workbook import UnreadableWorkbook, a1, open_book

    def bad(what: str, cell: str = "") -> tuple[None, list[Issue]]:
        return None, [Issue(code="rollup-bad", severity="warning", file=file, unit_id=unit_id,
                            sheet=N.SHEET_ROLLUP, cell=cell, quarter=str(quarter),
                            message=f"{N.SHEET_ROLLUP}{what}，本县乡镇汇总未计入，请核对后重新报送")]

    try:
        sheet = open_book(path.read_bytes()).sheet(N.SHEET_ROLLUP)
    except (OSError, UnreadableWorkbook) as exc:
        return bad(f"无法读取（{exc}）")
    labels = {norm(v): k for k, v in N.ROLLUP_LABELS.items()}
    found: dict[str, tuple[object, str]] = {}
    for r, row in enumerate(sheet.rows):
        field = labels.get(norm(row[0])) if row else None
        if field and field not in found:
            found[field] = (row[1] if len(row) > 1 else "", a1(r, 1))
    values: dict[str, int] = {}
    for field in COUNTS:
        if field not in found:
            return bad(f"缺少“{N.ROLLUP_LABELS[field]}”")
        number = _count(found[field][0])
        if number is None:
            return bad(f"“{N.ROLLUP_LABELS[field]}”应为非负整数，实际为“{found[field][0]}”", found[field][1])
        values[field] = number
    for part, whole in (("reporting", "townships"), ("on_time", "reporting"),
                        ("tasks_done", "tasks_due"), ("catalogue_done", "catalogue_due")):
        if values[part] > values[whole]:
            return bad(f"“{N.ROLLUP_LABELS[part]}”（{values[part]}）大于“{N.ROLLUP_LABELS[whole]}”"
                       f"（{values[whole]}）", found[part][1])
    units = reference.units.set_index("unit_id")
    row = {"quarter": str(quarter), "unit_id": unit_id, "short_name": reference.unit_name(unit_id),
           "parent_id": units.at[unit_id, "parent_id"], "level": units.at[unit_id, "level"], **values,
           "completion_rate": values["tasks_done"] / values["tasks_due"] if values["tasks_due"] else None,
           "catalogue_rate": (values["catalogue_done"] / values["catalogue_due"]
                              if values["catalogue_due"] else None),
           "county_quarter": norm(found.get("quarter", ("",))[0]), "file": file}
    return row, []


def township_summary(folder: Path, ledger: pd.DataFrame, reference: Reference, quarter
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(township_summary table, issues) of a quarter folder: one row per county (a base unit
    directly under the city) whose accepted return carries a 乡镇汇总 sheet, in reference order."""
    accepted = ledger[(ledger["state"] == "accepted") & ledger["unit_id"].notna()]
    # Only a county sends one: a base unit directly under the city (parent_id the city's own
    # unit, or blank as units.csv allows), so a township listed under its county is not opened
    # again (thousands at province scale). A county workspace's base units are townships: none.
    units = reference.units
    top = units["parent_id"].fillna("").isin([reference.settings.reporting.root_unit_id, ""])
    counties = set(units.loc[(units["group"] == "base") & top, "unit_id"]) if reference.level == "city" else set()
    rows, issues = [], []
    for file, unit_id in zip(accepted["file"], accepted["unit_id"], strict=True):
        path = Path(folder) / file
        if unit_id not in counties or path.suffix.lower() != ".xlsx" or not _has_rollup_sheet(path):
            continue
        row, found = read_rollup(path, file, unit_id, reference, quarter)
        issues += found
        if row is not None:
            rows.append(row)
    if not rows:
        return empty("township_summary"), issues_frame(issues)
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS["township_summary"])
    order = reference.units.set_index("unit_id")["order"]
    table = table.sort_values("unit_id", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    return table, issues_frame(issues)
