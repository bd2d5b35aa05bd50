"""Score: aggregate verdicts into the four parts, total, grade, rank, commend and criticise.

Weights, credits, grade bands and rule thresholds come from settings.toml (DESIGN §4).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from .formatting import cn_date
from .reconcile import accepted_returns
from .reference import Reference
from .schemas import TABLE_COLUMNS

PARTS = ("timeliness", "completion", "catalogue", "quality")


def round_half_up(value: float, places: int = 1) -> float:
    """四舍五入 on the decimal value (float noise removed first: 84.45 → 84.5, not 84.4)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    exact = Decimal(repr(round(float(value), 9)))
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def grade_of(total: float, bands: dict[str, float]) -> str:
    for label, floor in sorted(bands.items(), key=lambda kv: -kv[1]):
        if total >= floor:
            return label
    return list(bands)[-1]


def rank_in_groups(frame: pd.DataFrame) -> pd.Series:
    """Competition rank (1, 2, 2, 4) on the rounded total within each level and group."""
    keys = ["level", "group"] if "level" in frame.columns else "group"
    return frame.groupby(keys)["total"].rank(method="min", ascending=False).astype("Int64")


def scores(reconciliation: pd.DataFrame, domain_reconciliation: pd.DataFrame,
           ledger: pd.DataFrame, issues: pd.DataFrame, reference: Reference, quarter,
           as_of: dt.date, previous: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per ranked unit (groups base and dept), ordered by group, rank, reference order."""
    cfg = reference.settings
    weights = cfg.weights
    units = reference.reporting_units[["unit_id", "short_name", "group", "level", "parent_id", "order"]]
    acc = accepted_returns(ledger).set_index("unit_id")
    has_return = units["unit_id"].isin(acc.index)
    on_time = units["unit_id"].map(acc["on_time"]).astype("boolean")
    submitted_on = pd.to_datetime(units["unit_id"].map(acc["submitted_on"].to_dict()))  # empty-safe

    t = cfg.timeliness
    timeliness = np.where(~has_return, t.missing, np.where(on_time.fillna(False), t.on_time, t.late))

    rec = reconciliation[reconciliation["unit_id"].isin(units["unit_id"])]
    due = rec[rec["due"]]
    completion = units["unit_id"].map(due.groupby("unit_id")["credit"].mean()).fillna(
        cfg.completion.no_task_due)

    dom = domain_reconciliation.groupby("unit_id")["credit"].mean()
    catalogue = units["unit_id"].map(dom)  # NaN: the part does not apply (leads no domain)

    accepted_files = set(acc["file"])
    errors = issues[(issues["severity"] == "error") & issues["file"].isin(accepted_files)]
    error_count = units["unit_id"].map(errors.groupby("unit_id").size()).fillna(0).astype(int)
    quality = np.where(has_return, np.clip(1 - cfg.quality.penalty_per_error * error_count, 0, 1), 0.0)

    shares = pd.DataFrame({"timeliness": timeliness, "completion": completion.values,
                           "catalogue": catalogue.values, "quality": quality}, index=units.index)
    w = pd.Series({p: float(getattr(weights, p)) for p in PARTS})
    applies = shares.notna()
    raw = 100 * (shares.fillna(0) * w).sum(axis=1) / (applies * w).sum(axis=1)

    out = units.assign(
        quarter=str(quarter),
        **{p: shares[p].map(lambda x: round_half_up(x, 3)) for p in PARTS},
        total=raw.map(round_half_up),
        on_time=on_time.where(has_return, False).astype(bool),
        error_count=error_count.where(has_return, 0),
        submitted_on=submitted_on,
        has_return=has_return,
    )
    out["grade"] = out["total"].map(cfg.grade_of)
    out["rank"] = rank_in_groups(out)
    counts = _task_counts(rec, units["unit_id"])
    out = out.join(counts)
    if previous is not None and len(previous):
        # Only between two quarters in which the unit sent a return: one that sent nothing
        # in either has not "risen" or "fallen" (DESIGN §4). Published scores may not say.
        sent = previous["has_return"].astype(bool) if "has_return" in previous else True
        prev_rank = previous[sent].set_index("unit_id")["rank"] if "has_return" in previous \
            else previous.set_index("unit_id")["rank"]
        change = (out["unit_id"].map(prev_rank) - out["rank"]).astype("Int64")
        out["rank_change"] = change.where(out["has_return"], pd.NA)
    else:
        out["rank_change"] = pd.array([pd.NA] * len(out), dtype="Int64")

    max_rank = cfg.rules.commend_max_rank
    out["commended"] = ((out["grade"] == cfg.best_grade) & out["on_time"]
                        & (out["overdue_count"] == 0) & (out["unreported_count"] == 0)
                        & (out["rank"] <= max_rank)).astype(bool)
    reasons = criticism_reasons(out, rec, reference, quarter)
    out["reasons"] = out["unit_id"].map(reasons).fillna("")
    out["criticised"] = out["reasons"] != ""
    out = out.sort_values(["group", "rank", "order"], key=_group_first, kind="stable")
    return out[TABLE_COLUMNS["scores"] + ["submitted_on", "has_return"]].reset_index(drop=True)


def _group_first(col: pd.Series) -> pd.Series:
    return col.map({"base": 0, "dept": 1}) if col.name == "group" else col


def _task_counts(rec: pd.DataFrame, unit_ids: pd.Series) -> pd.DataFrame:
    due = rec[rec["due"]]
    has_return = rec["file"].notna()
    g = lambda mask: unit_ids.map(rec[mask].groupby("unit_id").size()).fillna(0).astype(int)  # noqa: E731
    return pd.DataFrame({
        "tasks_due": unit_ids.map(due.groupby("unit_id").size()).fillna(0).astype(int),
        "tasks_done": g(rec["due"] & rec["verdict"].isin(["on_time", "late"])),
        "overdue_count": g(rec["verdict"] == "overdue"),
        "unreported_count": g(rec["due"] & (rec["verdict"] == "unreported") & has_return),
    }).set_axis(unit_ids.index)


def criticism_reasons(scored: pd.DataFrame, rec: pd.DataFrame, reference: Reference,
                      quarter) -> pd.Series:
    """unit_id → the Chinese reasons it is criticised (empty when it is not)."""
    due_date = quarter.due_date(reference.settings.reporting.due_day)
    lowest = reference.settings.lowest_grade
    # Each unit's task reasons, grouped once (a filter per unit is quadratic in a province).
    overdue = _task_reasons(rec[rec["verdict"] == "overdue"],
                            "第{}项任务（时限{}）逾期未完成，已逾期{}天")
    unreported = _task_reasons(rec[(rec["verdict"] == "unreported") & rec["due"]],
                               "第{}项任务（时限{}）未在报表中填报")
    out = {}
    for row in scored.itertuples():
        parts = []
        if not row.has_return:
            parts.append(f"未报送本季度工作进展（应于{cn_date(due_date)}前报送）")
        elif not row.on_time:
            if pd.notna(row.submitted_on):
                late = (row.submitted_on - pd.Timestamp(due_date)).days
                parts.append(f"未按时报送本季度工作进展（{cn_date(row.submitted_on)}报送，逾期{late}天）")
            else:
                parts.append("本季度工作进展报送日期无法确认，按逾期报送处理")
        parts += overdue.get(row.unit_id, [])
        if row.has_return:
            parts += unreported.get(row.unit_id, [])
        if row.grade == lowest:
            parts.append(f"综合得分{row.total:.1f}分，等次为{row.grade}")
        if parts:
            out[row.unit_id] = "；".join(parts)
    return pd.Series(out, dtype="object")


def _task_reasons(rows: pd.DataFrame, template: str) -> dict[str, list[str]]:
    """unit_id → one reason per row (task id, deadline text, days overdue), in row order."""
    out: dict[str, list[str]] = {}
    for unit, task, text, days in zip(rows["unit_id"], rows["task_id"], rows["deadline_text"],
                                      rows["days_overdue"], strict=True):
        out.setdefault(unit, []).append(template.format(task, text, days))
    return out
