"""What the office reads about catalogue quality: a 通报 paragraph, a display table for the
ranking workbook's 目录质量 sheet, and the stand-alone 目录审核.xlsx of `zwgk catalogue`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ..issues import ISSUE_CODES
from ..names import SEVERITY_LABELS
from ..outputs import XLSX_OPTIONS, atomic_path
from ..reference import Reference
from ..render.palette import HEADER_FILL

SHEET_HEADERS = {"short_name": "单位", "domains_sent": "报送领域数", "items": "事项数",
                 "complete_items": "要素齐全事项数", "share_complete": "要素齐全率",
                 "mismatches": "与报表事项数不一致的领域", "weakest": "要素齐全率最低的领域"}
ITEM_HEADERS = {"short_name": "单位", "domain": "领域", "file": "文件", "sheet": "工作表", "row": "行号",
                "last_row": "至行", "item_l1": "一级事项", "item_l2": "二级事项", "item_l3": "三级事项",
                "content": "公开内容", "basis": "公开依据",
                "time_limit": "公开时限", "subject": "公开主体", "channel": "公开渠道和载体",
                "audience": "公开对象", "method": "公开方式", "level": "公开层级",
                "complete": "要素齐全", "missing": "缺少或不规范的要素", "duplicate": "重复"}
DETAIL_HEADERS = {"short_name": "单位", "domain": "领域", "items": "事项数", "complete_items": "要素齐全",
                  "share": "齐全率", "reported_count": "报表事项数", "matches": "是否一致", "source": "来源"}
FILE_HEADERS = {"file": "文件", "kind": "格式", "state": "审核情况", "short_name": "单位", "sheets": "目录工作表数",
                "items": "事项数", "reason": "未审核原因（请据此处理）"}
ISSUE_HEADERS = {"short_name": "单位", "location": "位置", "severity": "严重程度", "code": "问题代码",
                 "meaning": "问题", "message": "说明（请据此修改）"}


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _names(reference: Reference) -> tuple[pd.Series, pd.Series]:
    units = reference.units.set_index("unit_id")["short_name"]
    domains = reference.domains.set_index("domain_id")["name"]
    return units, domains


def _weakest(sent: pd.DataFrame, key: str, overall: float, limit: int = 3) -> list[tuple[object, float]]:
    """Up to `limit` units or domains whose share of complete items is below the overall share."""
    sums = sent.groupby(key, sort=False)[["items", "complete_items"]].sum()
    sums = sums[sums["items"] > 0]
    share = (sums["complete_items"] / sums["items"]).sort_values(kind="stable")
    return list(share[(share < overall) & (share < 1)].head(limit).items())


def catalogue_paragraph(audit: pd.DataFrame, reference: Reference,
                        items: pd.DataFrame | None = None) -> str:
    """One paragraph for the 通报: units that sent catalogues, items audited, share complete,
    the weakest units and domains, the elements most often missing (when `items` is given) and
    the count mismatches against the returns."""
    sent = audit[audit["sent"]] if len(audit) else audit
    if sent.empty:
        return "本季度未收到基层政府报送的政务公开事项标准目录。"
    units, domains = _names(reference)
    base = reference.units.loc[reference.units["group"] == "base", "unit_id"]
    n_units = sent["unit_id"].nunique()
    total, complete = int(sent["items"].sum()), int(sent["complete_items"].sum())
    text = (f"本季度共有{n_units}个基层政府（共{len(base)}个）报送了标准目录，涉及试点领域目录{len(sent)}个、"
            f"公开事项{total}条，其中名称、内容、依据、时限、主体、方式、渠道、公开对象等8项要素齐全的"
            f"{complete}条，占{_pct(complete / total) if total else '0.0%'}。")
    overall = complete / total if total else 1.0
    weak_units = _weakest(sent, "unit_id", overall)
    weak_domains = _weakest(sent, "domain_id", overall)
    if weak_units or weak_domains:
        parts = []
        if weak_units:
            parts.append("单位是" + "、".join(f"{units.get(u, u)}（{_pct(s)}）" for u, s in weak_units))
        if weak_domains:
            parts.append("领域是" + "、".join(f"{domains[d]}（{_pct(s)}）" for d, s in weak_domains))
        text += "要素齐全率较低的" + "，".join(parts) + "。"
    elif complete == total:
        text += "各单位报送的目录要素均齐全。"
    if items is not None and len(items) and (~items["complete"]).any():
        parts = items.loc[~items["complete"], "missing"].str.split("、").explode()
        parts = parts[parts.fillna("") != ""].str.replace("不规范", "", regex=False)
        top = parts.value_counts().head(3)
        text += "缺少或填写不规范的要素主要是" + "、".join(f"{k}（{v}条）" for k, v in top.items()) + "。"
    empty = sent[sent["items"] == 0]
    if len(empty):
        text += f"另有{len(empty)}个领域目录为空表。"
    mism = sent[sent["count_matches"].eq(False).fillna(False)]
    if len(mism):
        who = "、".join(dict.fromkeys(units.get(u, u) for u in mism["unit_id"]))
        text += f"{who}有{len(mism)}个领域目录的事项数与季度报表填报的事项数量不一致，请核实更正。"
    return text


def catalogue_sheet(audit: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    """The 目录质量 sheet of the ranking workbook: one row per base unit that sent catalogues,
    Chinese headers, in reference order."""
    sent = audit[audit["sent"]] if len(audit) else audit
    if sent.empty:
        return pd.DataFrame(columns=list(SHEET_HEADERS.values()))
    units, domains = _names(reference)
    rows = []
    for unit_id in [u for u in reference.units["unit_id"] if u in set(sent["unit_id"])]:
        part = sent[sent["unit_id"] == unit_id]
        items, complete = int(part["items"].sum()), int(part["complete_items"].sum())
        shares = part[part["items"] > 0].set_index("domain_id")["share_complete"].sort_values(kind="stable")
        weakest = shares[shares < 1].head(3)
        rows.append({
            "short_name": units.get(unit_id, unit_id), "domains_sent": len(part), "items": items,
            "complete_items": complete, "share_complete": round(complete / items, 4) if items else float("nan"),
            "mismatches": "、".join(domains[d] for d in part.loc[part["count_matches"].eq(False).fillna(False), "domain_id"]),
            "weakest": "、".join(f"{domains[d]}（{_pct(s)}）" for d, s in weakest.items()),
        })
    return pd.DataFrame(rows).rename(columns=SHEET_HEADERS)


def _detail(audit: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    units, domains = _names(reference)
    sent = audit[audit["sent"]]
    return pd.DataFrame({
        "short_name": sent["unit_id"].map(units), "domain": sent["domain_id"].map(domains),
        "items": sent["items"], "complete_items": sent["complete_items"],
        "share": sent["share_complete"], "reported_count": sent["reported_count"],
        "matches": sent["count_matches"].map({True: "一致", False: "不一致"}).astype("object").fillna(""),
        "source": sent["source"]}).rename(columns=DETAIL_HEADERS)


def _issue_display(issues: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    units, _ = _names(reference)
    loc = issues[["file", "sheet", "cell"]].fillna("").astype(str).agg(
        lambda r: "!".join(p for p in r if p), axis=1) if len(issues) else pd.Series(dtype="string")
    return pd.DataFrame({
        "short_name": issues["unit_id"].map(lambda u: units.get(u, "") if isinstance(u, str) else ""),
        "location": loc, "severity": issues["severity"].map(SEVERITY_LABELS),
        "code": issues["code"], "meaning": issues["code"].map(lambda c: ISSUE_CODES[c][1]),
        "message": issues["message"]}).rename(columns=ISSUE_HEADERS)


def _items_display(items: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    units, domains = _names(reference)
    out = items.assign(short_name=items["unit_id"].map(units), domain=items["domain_id"].map(domains),
                       complete=items["complete"].map({True: "是", False: "否"}),
                       duplicate=items["duplicate"].map({True: "是", False: ""}))
    return out[list(ITEM_HEADERS)].rename(columns=ITEM_HEADERS)


def _files_display(files: pd.DataFrame | None, reference: Reference) -> pd.DataFrame:
    if files is None or files.empty:
        return pd.DataFrame(columns=list(FILE_HEADERS.values()))
    units, _ = _names(reference)
    out = files.assign(short_name=files["unit_id"].map(lambda u: units.get(u, "") if isinstance(u, str) else ""))
    return out[list(FILE_HEADERS)].rename(columns=FILE_HEADERS)


def write_catalogue_workbook(result, reference: Reference, path: str | Path,
                             created: dt.datetime | None = None) -> Path:
    """目录审核.xlsx: 汇总 (per unit), 领域明细 (unit × domain), 事项明细, 问题清单, 文件清单. Text is
    never written as a formula or link; the file is written atomically."""
    import xlsxwriter

    path = Path(path)
    sheets = {"汇总": catalogue_sheet(result.audit, reference),
              "领域明细": _detail(result.audit, reference),
              "事项明细": _items_display(result.items, reference),
              "问题清单": _issue_display(result.issues, reference),
              "文件清单": _files_display(getattr(result, "files", None), reference)}
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), XLSX_OPTIONS)
        issuer = reference.settings.bulletin.issuer
        wb.set_properties({"title": "政务公开事项标准目录审核", "author": issuer, "company": issuer,
                           "created": created or dt.datetime(2020, 1, 1)})
        head = wb.add_format({"bold": True, "bg_color": HEADER_FILL, "border": 1, "text_wrap": True,
                              "valign": "vcenter", "align": "center"})
        text = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        pct = wb.add_format({"border": 1, "num_format": "0.0%", "valign": "top"})
        for name, frame in sheets.items():
            ws = wb.add_worksheet(name)
            _write_frame(ws, frame, head, text, pct)
        wb.close()
    return path


def _write_frame(ws, frame: pd.DataFrame, head, text, pct) -> None:
    for c, col in enumerate(frame.columns):
        ws.write_string(0, c, str(col), head)
        values = frame[col].tolist()
        is_share = "率" in str(col)
        width = max([len(str(col))] + [len(str(v)) for v in values[:200]]) * 2 + 2
        ws.set_column(c, c, min(max(width, 8), 50))
        for r, v in enumerate(values, start=1):
            if v is None or v is pd.NA or (isinstance(v, float) and v != v):
                ws.write_blank(r, c, None, text)
            elif isinstance(v, bool):
                ws.write_string(r, c, "是" if v else "否", text)
            elif isinstance(v, int | float):
                ws.write_number(r, c, v, pct if is_share else text)
            else:
                ws.write_string(r, c, str(v), text)
    ws.freeze_panes(1, 0)
    if len(frame.columns):
        ws.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
