"""The townships one level down as the city's 通报 words them (formatting only): a paragraph
and the 附件 table from the `township_summary` table (county × quarter)."""

from __future__ import annotations

import pandas as pd

from ..reference import Reference

ANNEX_HEADER = ["县（市、区）", "乡镇（街道）数", "已报送", "按时报送", "应完成任务", "已完成任务",
                "任务完成率", "乡级目录应编制", "已编制并公开", "目录覆盖率"]


def _pct(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.1%}"


def township_annex_rows(summary: pd.DataFrame) -> list[list]:
    """The 附件 table of township coverage: ANNEX_HEADER, then one row per county that sent a
    summary; [] when none did (the renderer then leaves the 附件 out)."""
    if summary is None or not len(summary):
        return []
    return [list(ANNEX_HEADER)] + [list(r.values()) for r in township_rows(summary)]


def township_rows(summary: pd.DataFrame) -> list[dict]:
    """One dict per county that sent a summary (the 通报's 附件 table rows, by column key)."""
    if summary is None or not len(summary):
        return []
    return [{"county": r.short_name, "townships": int(r.townships), "reporting": int(r.reporting),
             "on_time": int(r.on_time), "tasks_due": int(r.tasks_due), "tasks_done": int(r.tasks_done),
             "completion_rate": _pct(r.completion_rate), "catalogue_due": int(r.catalogue_due),
             "catalogue_done": int(r.catalogue_done), "catalogue_rate": _pct(r.catalogue_rate)}
            for r in summary.itertuples()]


def township_paragraph(summary: pd.DataFrame, reference: Reference) -> str:
    """The 通报 paragraph on the townships: per county that sent a summary, then which base
    units did not; "" when no county sent one."""
    if summary is None or not len(summary):
        return ""
    parts = []
    for r in summary.itertuples():
        text = (f"{r.short_name}{int(r.townships)}个乡镇（街道）中{int(r.reporting)}个报送工作进展、"
                f"{int(r.on_time)}个按时报送，应完成任务{int(r.tasks_due)}项次、已完成{int(r.tasks_done)}项次")
        if r.tasks_due:
            text += f"（完成率{_pct(r.completion_rate)}）"
        text += f"，乡级标准目录已编制并公开{int(r.catalogue_done)}个"
        if r.catalogue_due:
            text += f"（覆盖率{_pct(r.catalogue_rate)}）"
        parts.append(text)
    sent = set(summary["unit_id"])
    base = reference.units[reference.units["group"] == "base"]
    missing = sum(1 for u in base["unit_id"] if u not in sent)
    text = "乡镇（街道）工作进展方面，" + "；".join(parts) + "。"
    if missing:  # counted, not named: a county that runs no township cycle yet is no fault here
        text += f"其余{missing}个基层政府未报送乡镇汇总。"
    return text
