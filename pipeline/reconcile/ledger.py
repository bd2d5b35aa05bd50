"""The ledger decisions (DESIGN §4): each file's submission date, timeliness and state.

Ingest lists what each file is and says (`files`: who sent it, its 填报日期, the receipt log's
收文日期, readable or not); here it is decided when it counts as submitted, whether that is on
time, and which of a unit's files is the one that counts (the others are `superseded`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .. import names as N
from ..dates import parse_quarter
from ..formatting import iso_date
from ..frames import records
from ..issues import Issue, issues_frame, worded
from ..reference import Reference
from ..schemas import TABLE_COLUMNS


def ledger(files: pd.DataFrame, reference: Reference, quarter, due: dt.date,
           earlier: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ledger, issues): one row per file with submitted_on, on_time and the final state.

    submitted_on is the receipt log's date where the log lists the file, else the return's
    填报日期; with neither an error is raised and the return counts as late. A return of an
    earlier quarter sent again (`stale_returns`; `earlier`: sha256, quarter of the returns
    accepted in earlier quarters) is rejected before a unit's returns are compared.
    """
    files, stale_issues = stale_returns(files, reference, quarter, earlier)
    logged = files["received_on"].notna()
    submitted = files["received_on"].where(logged, files["filled_on"])
    source = pd.Series("", index=files.index, dtype="object")
    source[files["filled_on"].notna()] = N.INFO_DATE
    source[logged] = "收文登记"
    readable = files["state"] == "accepted"
    issues = [
        worded("submitted-on-missing", file=r.file, sheet=r.filled_sheet or N.SHEET_INFO,
               cell=r.filled_cell or "", unit_id=r.unit_id or "", quarter=str(quarter))
        for r in files[readable & submitted.isna()].itertuples()
    ]
    out = files.assign(
        submitted_on=submitted.astype("datetime64[ns]"),
        submitted_source=source.astype("string"),
        on_time=(submitted.notna() & (submitted <= pd.Timestamp(due))).astype(bool),
    )[TABLE_COLUMNS["ledger"]]
    out, superseded = _supersede(out, reference)
    return out, issues_frame(stale_issues + issues + superseded)


def stale_returns(files: pd.DataFrame, reference: Reference, quarter, earlier: pd.DataFrame | None
                  ) -> tuple[pd.DataFrame, list[Issue]]:
    """Reject another quarter's return sent again (DESIGN §4 "Another quarter's return").

    Stale: the same bytes as a return accepted in an earlier quarter, or a stated quarter
    (所属季度, else _meta's) earlier than this one with 填报日期 missing or on or before that
    quarter's due date. Any other stated quarter that is not this one is an error issue.
    """
    due_day = reference.settings.reporting.due_day
    seen = {} if earlier is None else dict(zip(earlier["sha256"], earlier["quarter"], strict=True))
    state, reason = files["state"].copy(), files["reason"].copy()
    issues = []
    for i, r in zip(files.index, records(files), strict=True):
        if r.state != "accepted":
            continue
        unit = reference.unit_name(r.unit_id) if isinstance(r.unit_id, str) else ""
        text = r.quarter_text if isinstance(r.quarter_text, str) else ""
        try:
            stated = parse_quarter(text) if text else None
        except ValueError:
            stated = None
        filled = r.filled_on.date() if pd.notna(r.filled_on) else None
        where = dict(file=r.file, sheet=r.quarter_sheet or "", cell=r.quarter_cell or "",
                     unit_id=r.unit_id or "", quarter=str(quarter))
        if isinstance(r.sha256, str) and r.sha256 in seen:
            why = (f"本文件与{_label(seen[r.sha256])}已接收的报表完全相同，是上期报表的重复报送，"
                   f"不作为本期（{quarter.label}）报表；本期{unit}按未报送计，请报送本期报表")
        elif stated is not None and stated < quarter and (filled is None or filled <= stated.due_date(due_day)):
            when = f"填报日期为{iso_date(filled)}" if filled else "未填写填报日期"
            why = (f"本文件是{stated.label}的报表（所属季度“{text}”，{when}），不是本期（{quarter.label}）报表；"
                   f"本期{unit}按未报送计，请报送本期报表")
        else:
            if text and stated != quarter:
                issues.append(Issue(code="quarter-mismatch", **where,
                                    message=f"所属季度填写为“{text}”，与本期（{quarter.label}）不一致，请核实；"
                                            f"若为本期报表请改为“{quarter.label}”"))
            continue
        state[i], reason[i] = "rejected", why
        if stated is None or stated >= quarter:  # known by its bytes: no cell to point at
            where |= {"sheet": "", "cell": ""}
        issues.append(Issue(code="return-stale", message=why, **where))
    return files.assign(state=state, reason=reason), issues


def _label(quarter: str) -> str:
    try:
        return parse_quarter(quarter).label
    except ValueError:
        return quarter


def _supersede(ledger: pd.DataFrame, reference: Reference) -> tuple[pd.DataFrame, list[Issue]]:
    """Keep the latest accepted return of each unit (same date: the name that sorts last)."""
    acc = ledger[ledger["state"] == "accepted"]
    order = acc.assign(_d=acc["submitted_on"].fillna(pd.Timestamp.min)).sort_values(["_d", "file"])
    winners = order.groupby("unit_id", sort=False).tail(1)
    losers = order.index.difference(winners.index)
    state = ledger["state"].copy()
    state.loc[losers] = "superseded"
    reason = ledger["reason"].copy()
    winner_of = winners.set_index("unit_id")
    issues = []
    for i in losers:
        unit = ledger.at[i, "unit_id"]
        w = winner_of.loc[unit]
        when = iso_date(w["submitted_on"]) or "日期不详"
        reason.loc[i] = f"已被“{w['file']}”替代"
        issues.append(worded("duplicate-return", unit=reference.unit_name(unit), winner=w["file"], when=when,
                             file=ledger.at[i, "file"], unit_id=unit, quarter=ledger.at[i, "quarter"]))
    return ledger.assign(state=state, reason=reason), issues


def accepted_returns(ledger: pd.DataFrame) -> pd.DataFrame:
    """One row per unit with an accepted return: unit_id, file, submitted_on, on_time."""
    acc = ledger[ledger["state"] == "accepted"]
    return acc[["unit_id", "file", "submitted_on", "on_time"]].drop_duplicates("unit_id", keep="last")


def rows_of(progress: pd.DataFrame, ledger: pd.DataFrame, state: str) -> pd.DataFrame:
    """The progress rows read from the files in `state` (accepted: what counts)."""
    files = set(ledger.loc[ledger["state"] == state, "file"])
    return progress[progress["file"].isin(files)].reset_index(drop=True)
