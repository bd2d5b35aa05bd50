"""summary: every figure the 通报 quotes, computed once from the quarter's tables.

`summary(result)` returns one long table; the 通报 renderer only formats its rows, and a
notebook sees the very figures the 通报 prints. One row per figure:

| column   | meaning                                                                    |
|----------|----------------------------------------------------------------------------|
| quarter  | the quarter, e.g. 2021Q1                                                   |
| section  | returns / tasks / catalogue / plans / averages / ranking / praise /        |
|          | criticism / problems / rectification / draft                               |
| key      | the figure within its section (listed below)                               |
| group    | all, base (基层政府) or dept (市直部门)                                      |
| value    | the number (float); NaN where there is none (no previous quarter)          |
| text     | a word the figure needs (a grade, a deadline text, a reason), else ""      |
| unit_ids | the units the figure is about, '|'-joined, in the order the text names them |

Keys (value; unit_ids):
- returns/all: units, on_time, late, missing (count; the units), on_time_rate (share 0–1),
  rejected_files (count of unreadable or stale files).
- tasks/all (dated tasks due by the as-of date): due, done, on_time, late, overdue, unreported,
  done_rate (share), ongoing, ongoing_filled, pending.
- catalogue/base: units, total, published, rate (share), full (units with every catalogue
  published), short_published and short_total (one row each per unit with a return that is
  short of a full set), not_reported (units without a return: described as 尚未报送).
- plans/dept: units, total, issued, rate.
- averages/<all|base|dept>: n, mean, previous_mean, change (the rounded means' difference).
- ranking/<group>: n; grade (text = grade, value = count; grades nobody got are left out);
  top and bottom (one row per tie, value = total; units without a return are never top);
  up and down (one row per unit, value = places); not_reported; has_previous (1/0).
- praise/<group>: commended (one row per tie, value = total).
- criticism/<group>: criticised (one row per unit, text = its reasons);
  criticism/all: by_kind (text = missing_return, late_return, overdue_task, unreported_task,
  failing_grade; value = count; the units).
- problems/all: issues, errors, warnings, issue_units; code (text = issue code, value =
  count); overdue_task and unreported_task (value = task id, text = deadline text; units).
- rectification/all: units, items, resolved, open (counts; units), fixed_all (units with every
  item fixed), still_open_twice (units criticised again with items still open); text of
  `units` is the previous quarter (2020Q4).
- draft/all: missing (units without an accepted return), before_due (1 when the as-of date is
  before the due date).
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import pandas as pd

from .crossq import criticised_items, rectification
from .dates import parse_quarter
from .figures import Figures, split_units  # noqa: F401  (read back: pipeline.summary.Figures)
from .result import QuarterResult
from .schemas import TABLE_COLUMNS

SUMMARY_COLUMNS = TABLE_COLUMNS["summary"]
RANKED = ("base", "dept")
NAN = math.nan


def _flag(series: pd.Series) -> pd.Series:
    return series.fillna(False).astype(bool)


def _share(part: float, whole: float) -> float:
    return part / whole if whole else NAN


class _Rows:
    """Collects rows; `units` are joined with '|' in the order given."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []

    def add(self, section, key, group="all", value=NAN, text="", units=()) -> None:
        value = NAN if value is None or pd.isna(value) else float(value)
        self.rows.append((section, key, group, value, str(text), "|".join(units)))


def _order(result: QuarterResult):
    units = result.reference.units
    order = dict(zip(units["unit_id"].tolist(), units["order"].tolist(), strict=True))
    return lambda ids: sorted(set(ids), key=lambda u: (order.get(u, 10**6), u))


def _has_return(scores: pd.DataFrame) -> pd.Series:
    return _flag(scores["has_return"]) if "has_return" in scores else scores["on_time"].notna()


def _returns(out: _Rows, result: QuarterResult, ordered) -> list[str]:
    sc = result.scores
    ranked = list(sc["unit_id"])
    led = result.ledger
    acc = led[(led["state"] == "accepted") & led["unit_id"].isin(ranked)]
    acc = acc.drop_duplicates("unit_id", keep="last")  # as verdicts.accepted_returns
    on_time = ordered(acc.loc[_flag(acc["on_time"]), "unit_id"])
    late = ordered(set(acc["unit_id"]) - set(on_time))
    missing = ordered(set(ranked) - set(acc["unit_id"]))
    out.add("returns", "units", value=len(ranked), units=ordered(ranked))
    out.add("returns", "on_time", value=len(on_time), units=on_time)
    out.add("returns", "late", value=len(late), units=late)
    out.add("returns", "missing", value=len(missing), units=missing)
    out.add("returns", "on_time_rate", value=_share(len(on_time), len(ranked)))
    out.add("returns", "rejected_files", value=int((led["state"] == "rejected").sum()))
    return missing


def _tasks(out: _Rows, result: QuarterResult) -> None:
    rec = result.reconciliation
    rec = rec[rec["unit_id"].isin(result.scores["unit_id"])]
    dated = rec[_flag(rec["due"]) & rec["deadline"].notna()]
    n = dated["verdict"].value_counts()
    ongoing = rec[rec["verdict"] == "ongoing"]
    done = int(n.get("on_time", 0) + n.get("late", 0))
    for key, value in (("due", len(dated)), ("done", done), ("on_time", n.get("on_time", 0)),
                       ("late", n.get("late", 0)), ("overdue", n.get("overdue", 0)),
                       ("unreported", n.get("unreported", 0)), ("done_rate", _share(done, len(dated))),
                       ("ongoing", len(ongoing)), ("ongoing_filled", _flag(ongoing["note_filled"]).sum()),
                       ("pending", (rec["verdict"] == "pending").sum())):
        out.add("tasks", key, value=value)


def _catalogue(out: _Rows, result: QuarterResult, ordered, missing: list[str]) -> None:
    dom = result.domain_reconciliation
    dom = dom[dom["unit_id"].isin(result.scores["unit_id"])]
    cat, plan = dom[dom["kind"] == "catalogue"], dom[dom["kind"] == "plan"]
    published = cat["status"] == "published"
    per_unit = cat.assign(p=published).groupby("unit_id")["p"].agg(["sum", "size"])
    out.add("catalogue", "units", "base", cat["unit_id"].nunique())
    out.add("catalogue", "total", "base", len(cat))
    out.add("catalogue", "published", "base", int(published.sum()))
    out.add("catalogue", "rate", "base", _share(int(published.sum()), len(cat)))
    out.add("catalogue", "full", "base", units=ordered(per_unit.index[per_unit["sum"] == per_unit["size"]]))
    short = per_unit[(per_unit["sum"] < per_unit["size"]) & ~per_unit.index.isin(missing)]
    for u in ordered(short.index):
        out.add("catalogue", "short_published", "base", short.loc[u, "sum"], units=[u])
        out.add("catalogue", "short_total", "base", short.loc[u, "size"], units=[u])
    out.add("catalogue", "not_reported", "base", units=ordered(set(per_unit.index) & set(missing)))
    issued = int((plan["status"] == "issued").sum())
    out.add("plans", "units", "dept", plan["unit_id"].nunique())
    out.add("plans", "total", "dept", len(plan))
    out.add("plans", "issued", "dept", issued)
    out.add("plans", "rate", "dept", _share(issued, len(plan)))


def previous_scores(result: QuarterResult) -> pd.DataFrame | None:
    """The latest earlier quarter's (unit_id, group, total): from history, else result.previous."""
    hist = result.extra.get("history")
    if hist is not None and len(hist):
        quarters = hist["quarter"].map(lambda q: parse_quarter(str(q)))
        earlier = quarters[quarters < result.quarter]
        if len(earlier):
            prev = hist[quarters == earlier.max()][["unit_id", "total"]]
            groups = result.reference.units.set_index("unit_id")["group"]
            return prev.assign(group=prev["unit_id"].map(groups))
    if result.previous is not None and len(result.previous.scores):
        return result.previous.scores[["unit_id", "group", "total"]]
    return None


def _averages(out: _Rows, result: QuarterResult) -> None:
    sc, prev = result.scores, previous_scores(result)
    for g in ("all", *RANKED):
        now = sc["total"] if g == "all" else sc.loc[sc["group"] == g, "total"]
        if g != "all" and now.empty:
            continue
        before = (None if prev is None else prev["total"] if g == "all"
                  else prev.loc[prev["group"] == g, "total"])
        mean = now.mean()
        before_mean = NAN if before is None or before.empty else before.mean()
        # the text prints both means to one decimal: the change is the printed means' difference
        change = round(round(mean, 1) - round(before_mean, 1), 1) if pd.notna(before_mean) else NAN
        out.add("averages", "n", g, len(now))
        out.add("averages", "mean", g, mean)
        out.add("averages", "previous_mean", g, before_mean)
        out.add("averages", "change", g, change)


def _by_rank(result: QuarterResult, s: pd.DataFrame) -> pd.DataFrame:
    """Rows in rank order, ties in the reference order of units (DESIGN §4)."""
    order = result.reference.units.set_index("unit_id")["order"]
    return s.assign(_o=s["unit_id"].map(order)).sort_values(["rank", "_o"], kind="stable")


def _ranked(result: QuarterResult) -> dict[str, pd.DataFrame]:
    """Each ranked group's scores in rank order (`_by_rank`), sorted once for every section."""
    sc = result.scores
    return {g: _by_rank(result, sc[sc["group"] == g]) for g in RANKED}


def _ties(out: _Rows, section: str, key: str, group: str, rows: pd.DataFrame) -> None:
    """One row per run of equal totals (rows in rank order)."""
    pairs = zip(rows["total"].astype(float).tolist(), rows["unit_id"].tolist(), strict=True)
    for total, grp in itertools.groupby(pairs, key=lambda p: p[0]):
        out.add(section, key, group, total, units=[u for _, u in grp])


def _ranking(out: _Rows, result: QuarterResult, ranked: dict[str, pd.DataFrame]) -> None:
    grades = list(result.reference.settings.grades)
    top_rank = int(result.reference.settings.rules.commend_max_rank)
    for g in RANKED:
        s = ranked[g]
        if s.empty:
            continue
        sent = s[_has_return(s)]
        counts = s["grade"].value_counts()
        out.add("ranking", "n", g, len(s))
        for grade in grades:
            if counts.get(grade, 0):
                out.add("ranking", "grade", g, counts[grade], text=grade)
        _ties(out, "ranking", "top", g, sent[sent["rank"] <= min(top_rank, len(s))])
        if len(sent) > top_rank:
            low = sent[(sent["total"] == sent["total"].min()) & (sent["rank"] > top_rank)]
            _ties(out, "ranking", "bottom", g, low)
        change = s["rank_change"].where(_has_return(s))  # a unit that sent nothing has not moved
        for unit, c in zip(s["unit_id"].tolist(), change.tolist(), strict=True):
            if pd.notna(c) and c != 0:
                out.add("ranking", "up" if c > 0 else "down", g, abs(int(c)), units=[unit])
        out.add("ranking", "not_reported", g, units=list(s.loc[~_has_return(s), "unit_id"]))
        out.add("ranking", "has_previous", g, int(s["rank_change"].notna().any()))


def _praise_and_criticism(out: _Rows, result: QuarterResult, ranked: dict[str, pd.DataFrame]) -> None:
    for g in RANKED:
        s = ranked[g]
        _ties(out, "praise", "commended", g, s[_flag(s["commended"])])
        named = s[_flag(s["criticised"])].sort_index()
        for unit, reasons in zip(named["unit_id"].tolist(), named["reasons"].tolist(), strict=True):
            out.add("criticism", "criticised", g, text=str(reasons), units=[unit])
    items = criticised_items(result)
    for kind, grp in items.groupby("kind", sort=False):
        ids = list(dict.fromkeys(grp["unit_id"]))
        out.add("criticism", "by_kind", value=len(ids), text=kind, units=ids)


def _problems(out: _Rows, result: QuarterResult, ordered) -> None:
    iss = result.issues
    sev = iss["severity"].astype(str)
    out.add("problems", "issues", value=len(iss))
    out.add("problems", "errors", value=int((sev == "error").sum()))
    out.add("problems", "warnings", value=int((sev == "warning").sum()))
    out.add("problems", "issue_units", value=iss["unit_id"].replace("", pd.NA).dropna().nunique())
    codes = iss["code"].astype(str).value_counts()
    for code, n in sorted(codes.items(), key=lambda kv: (-kv[1], kv[0])):
        out.add("problems", "code", value=n, text=code)
    rec = result.reconciliation[result.reconciliation["unit_id"].isin(result.scores["unit_id"])]
    sent = set(result.ledger.loc[result.ledger["state"] == "accepted", "unit_id"])
    overdue = rec[rec["verdict"] == "overdue"]
    # a task row left out of a return (units without a return are counted apart)
    left_out = rec[(rec["verdict"] == "unreported") & _flag(rec["due"]) & rec["source"].isna()
                   & rec["unit_id"].isin(sent)]
    for key, rows in (("overdue_task", overdue), ("unreported_task", left_out)):
        for task_id, grp in rows.groupby("task_id", sort=True):
            out.add("problems", key, value=int(task_id), text=str(grp["deadline_text"].iloc[0]),
                    units=ordered(grp["unit_id"]))


def _rectification(out: _Rows, result: QuarterResult, ordered) -> None:
    rect = result.extra.get("rectification")
    if rect is None and result.previous is not None:
        rect = rectification(result.previous, result)
    if rect is None or rect.empty:
        return
    resolved = _flag(rect["resolved"])
    units = ordered(rect["unit_id"])
    open_units = set(rect.loc[~resolved, "unit_id"])
    prev = rect["previous_quarter"].dropna() if "previous_quarter" in rect else pd.Series(dtype=str)
    twice = (_flag(rect["criticised_twice"]) if "criticised_twice" in rect
             else pd.Series(False, index=rect.index))
    out.add("rectification", "units", value=len(units), text=str(prev.iloc[0]) if len(prev) else "",
            units=units)
    out.add("rectification", "items", value=len(rect))
    out.add("rectification", "resolved", value=int(resolved.sum()),
            units=ordered(rect.loc[resolved, "unit_id"]))
    out.add("rectification", "open", value=int((~resolved).sum()), units=ordered(open_units))
    out.add("rectification", "fixed_all", units=[u for u in units if u not in open_units])
    out.add("rectification", "still_open_twice", units=ordered(rect.loc[~resolved & twice, "unit_id"]))


def summary(result: QuarterResult) -> pd.DataFrame:
    """Every figure the 通报 quotes, one per row (columns SUMMARY_COLUMNS; see the module)."""
    out = _Rows()
    ordered = _order(result)
    missing = _returns(out, result, ordered)
    _tasks(out, result)
    _catalogue(out, result, ordered, missing)
    _averages(out, result)
    ranked = _ranked(result)
    _ranking(out, result, ranked)
    _praise_and_criticism(out, result, ranked)
    _problems(out, result, ordered)
    _rectification(out, result, ordered)
    out.add("draft", "missing", value=len(missing), units=missing)
    due = result.quarter.due_date(result.reference.settings.reporting.due_day)
    out.add("draft", "before_due", value=int(result.as_of < due))
    frame = pd.DataFrame(out.rows, columns=SUMMARY_COLUMNS[1:])
    frame.insert(0, "quarter", str(result.quarter))
    return frame.astype({"value": "float64"})


def with_summary(result: QuarterResult) -> QuarterResult:
    """`result` with its summary table (computed again: for a result changed by hand)."""
    return dataclasses.replace(result, extra=result.extra | {"summary": summary(result)})
