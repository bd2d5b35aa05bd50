"""The 通报 draft (.docx): a docxtpl template filled from a context built from the tables.

`bulletin_context(result)` is pure and holds every number the text shows; the wording and the
GB/T 9704-2012 layout live in `pipeline/assets/bulletin_template.docx` (built by
`pipeline/assets/build_bulletin_template.py`; editable in Word or WPS).
"""

from __future__ import annotations

import datetime as dt
import itertools
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd

from ..dates import parse_quarter
from ..issues import ISSUE_CODES
from ..names import GROUP_LABELS, SEVERITY_LABELS
from ..result import QuarterResult

TEMPLATE = Path(__file__).resolve().parents[1] / "assets" / "bulletin_template.docx"
# Style names the renderer relies on (the template defines them; see build_bulletin_template.py).
TITLE_STYLE, SIGNATURE_STYLE, DATE_STYLE = "公文标题", "落款", "成文日期"
DATE_RIGHT_CHARS = 4  # 成文日期右空四字
BODY_TWIPS = 16 * 20  # one 3号 character
RANKED = ("base", "dept")
SEQ = "一二三四五六七八九十"
CHART_WIDTH_MM = 150
# Chart keys in the order the figures appear in the text (figure numbers follow it).
FIGURE_ORDER = ("domain_coverage", "score_trend", "ranking_base", "ranking_dept", "verdict_matrix")


# ---- small formatters (formatting only; no scoring) -----------------------------------------
def cn_date(value) -> str:
    """2021年3月20日 (GB/T 9704: Arabic numerals for dates)."""
    d = pd.Timestamp(value)
    return f"{d.year}年{d.month}月{d.day}日"


def pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def score_text(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):.1f}"


def share_text(value) -> str:
    """A part's share in [0, 1] as a percentage; NaN → 不适用 (the part does not apply)."""
    return "不适用" if value is None or pd.isna(value) else f"{100 * float(value):.1f}%"


def change_text(value) -> str:
    """rank_change → ↑2 / ↓1 / 持平 / — (no previous quarter)."""
    if value is None or pd.isna(value):
        return "—"
    v = int(value)
    return f"↑{v}" if v > 0 else f"↓{-v}" if v < 0 else "持平"


def _score_change(now: float, before: float | None) -> str:
    if before is None or pd.isna(before) or pd.isna(now):
        return ""
    delta = round(float(now) - float(before), 1)
    if delta > 0:
        return f"较上季度提高{delta:.1f}分"
    if delta < 0:
        return f"较上季度下降{-delta:.1f}分"
    return "与上季度持平"


# ---- context ---------------------------------------------------------------------------------
def _names(result: QuarterResult):
    units = result.reference.units.set_index("unit_id")
    return lambda uid: units["short_name"].get(uid, uid)


def _ranked_ids(result: QuarterResult) -> list[str]:
    return list(result.scores["unit_id"])


def _ordered(result: QuarterResult, ids) -> list[str]:
    """Unit ids in reference order."""
    order = result.reference.units.set_index("unit_id")["order"]
    return sorted(set(ids), key=lambda u: (order.get(u, 10**6), u))


def _returns(result: QuarterResult) -> dict:
    name = _names(result)
    ledger = result.ledger
    ranked = _ranked_ids(result)
    accepted = ledger[(ledger["state"] == "accepted") & ledger["unit_id"].isin(ranked)]
    accepted = accepted.drop_duplicates("unit_id", keep="last")
    on_time = accepted[accepted["on_time"].fillna(False).astype(bool)]
    late = accepted[~accepted["unit_id"].isin(on_time["unit_id"])]
    missing = [u for u in ranked if u not in set(accepted["unit_id"])]
    return {
        "n_units": len(ranked),
        "n_returns": len(accepted),
        "n_on_time": len(on_time),
        "n_late": len(late),
        "n_missing": len(missing),
        "on_time_rate": pct(len(on_time), len(ranked)),
        "late_names": [name(u) for u in _ordered(result, late["unit_id"])],
        "missing_names": [name(u) for u in _ordered(result, missing)],
        "n_rejected": int((ledger["state"] == "rejected").sum()),
    }


def _tasks(result: QuarterResult) -> dict:
    rec = result.reconciliation
    rec = rec[rec["unit_id"].isin(_ranked_ids(result))]
    dated = rec[rec["due"].astype(bool) & rec["deadline"].notna()]
    counts = dated["verdict"].value_counts()
    ongoing = rec[rec["verdict"] == "ongoing"]
    done = int(counts.get("on_time", 0) + counts.get("late", 0))
    return {
        "tasks_due": len(dated),
        "tasks_done": done,
        "tasks_on_time": int(counts.get("on_time", 0)),
        "tasks_late": int(counts.get("late", 0)),
        "tasks_overdue": int(counts.get("overdue", 0)),
        "tasks_unreported": int(counts.get("unreported", 0)),
        "done_rate": pct(done, len(dated)),
        "tasks_ongoing": len(ongoing),
        "tasks_ongoing_filled": int(ongoing["note_filled"].fillna(False).astype(bool).sum()),
        "tasks_pending": int((rec["verdict"] == "pending").sum()),
    }


def _catalogue(result: QuarterResult) -> dict:
    name = _names(result)
    dom = result.domain_reconciliation
    dom = dom[dom["unit_id"].isin(_ranked_ids(result))]
    cat = dom[dom["kind"] == "catalogue"]
    plan = dom[dom["kind"] == "plan"]
    published = cat["status"] == "published"
    per_unit = cat.assign(published=published).groupby("unit_id")["published"].agg(["sum", "size"])
    full = per_unit[per_unit["sum"] == per_unit["size"]].index
    gaps = per_unit[per_unit["sum"] < per_unit["size"]]
    issued = plan["status"] == "issued"
    return {
        "cat_units": int(cat["unit_id"].nunique()),
        "cat_total": len(cat),
        "cat_published": int(published.sum()),
        "cat_rate": pct(int(published.sum()), len(cat)),
        "cat_full_names": [name(u) for u in _ordered(result, full)],
        "catalogue_gaps": _gap_groups(result, gaps, name),
        "plan_units": int(plan["unit_id"].nunique()),
        "plan_total": len(plan),
        "plan_issued": int(issued.sum()),
        "plan_rate": pct(int(issued.sum()), len(plan)),
    }


def _gap_groups(result: QuarterResult, gaps: pd.DataFrame, name) -> list[dict]:
    """Units short of a full catalogue, neighbours with the same counts named together."""
    out: list[dict] = []
    for u in _ordered(result, gaps.index):
        published, total = int(gaps.loc[u, "sum"]), int(gaps.loc[u, "size"])
        if out and (out[-1]["published"], out[-1]["total"]) == (published, total):
            out[-1]["names"].append(name(u))
        else:
            out.append({"names": [name(u)], "published": published, "total": total})
    return out


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


def _averages(result: QuarterResult) -> tuple[dict, dict]:
    s = result.scores
    prev = previous_scores(result)
    overall = {"avg_total": score_text(s["total"].mean()),
               "avg_change": _score_change(round(s["total"].mean(), 1),
                                           None if prev is None else round(prev["total"].mean(), 1))}
    per_group = {}
    for g in RANKED:
        now = s.loc[s["group"] == g, "total"].mean()
        before = None if prev is None else prev.loc[prev["group"] == g, "total"].mean()
        per_group[g] = {"avg": score_text(now),
                        "avg_change": _score_change(round(now, 1) if pd.notna(now) else now,
                                                    None if before is None or pd.isna(before)
                                                    else round(before, 1))}
    return overall, per_group


def _tied(rows: list[dict]) -> list[str]:
    """「A（95.0分）」, and units sharing a score once: 「A、B（均为100.0分）」."""
    out = []
    for total, grp in itertools.groupby(rows, key=lambda r: r["total"]):
        names = [r["name"] for r in grp]
        out.append(f"{'、'.join(names)}（{'均为' if len(names) > 1 else ''}{total}分）")
    return out


def _group_block(result: QuarterResult, g: str, seq: str, avg: dict) -> dict | None:
    s = result.scores[result.scores["group"] == g].sort_values("rank", kind="stable")
    if s.empty:
        return None
    grades = list(result.reference.settings.grades)
    counts = s["grade"].value_counts()
    rows = [{
        "rank": int(r.rank), "name": r.short_name,
        "timeliness": share_text(r.timeliness), "completion": share_text(r.completion),
        "catalogue": share_text(r.catalogue), "quality": share_text(r.quality),
        "total": score_text(r.total), "total_value": float(r.total), "grade": r.grade,
        "change": change_text(r.rank_change),
        "commended": bool(r.commended), "criticised": bool(r.criticised),
    } for r in s.itertuples()]
    n = len(rows)
    top = [r for r in rows if r["rank"] <= min(3, n)]
    bottom_rank = rows[-1]["rank"]
    bottom = [r for r in rows if r["rank"] >= bottom_rank and r["rank"] > 3] if n > 3 else []
    changes = s["rank_change"]
    up = [f"{r.short_name}（上升{int(r.rank_change)}位）" for r in s.itertuples()
          if pd.notna(r.rank_change) and r.rank_change > 0]
    down = [f"{r.short_name}（下降{-int(r.rank_change)}位）" for r in s.itertuples()
            if pd.notna(r.rank_change) and r.rank_change < 0]
    return {
        "group": g, "label": GROUP_LABELS[g], "seq": f"（{seq}）", "n": n, "rows": rows,
        # grades nobody got are left out of the sentence (「优秀2个、不合格1个」)
        "grade_counts": [{"grade": k, "n": int(counts.get(k, 0))} for k in grades if counts.get(k, 0)],
        "top": _tied(top), "bottom": _tied(bottom), "up": up, "down": down,
        "has_previous": bool(changes.notna().any()),
        "chart": f"ranking_{g}", **avg,
    }


def _quarter_label(value) -> str:
    try:
        return parse_quarter(str(value)).label
    except ValueError:
        return str(value)


def _rectification(result: QuarterResult) -> list[str]:
    """上期问题整改情况: one sentence of counts, then the units fixed and what is still open.

    An empty list (no previous quarter, or nobody criticised in it) leaves the section out.
    """
    name = _names(result)
    rect = result.extra.get("rectification")
    if rect is not None:
        return _rectification_lines(result, rect) if len(rect) else []
    prev = result.previous
    if prev is None:
        return []
    crit = prev.scores[prev.scores["criticised"].astype(bool)]
    if crit.empty:
        return []
    now = set(result.scores.loc[result.scores["criticised"].astype(bool), "unit_id"])
    ids = _ordered(result, crit["unit_id"])
    fixed = [name(u) for u in ids if u not in now]
    still = [name(u) for u in ids if u in now]
    out = [f"上期（{prev.quarter.label}）通报批评的单位{len(ids)}个，本期已不再被通报批评{len(fixed)}个，"
           f"仍被通报批评{len(still)}个。"]
    if fixed:
        out.append(f"已完成整改的单位：{'、'.join(fixed)}。")
    if still:
        out.append(f"仍存在问题的单位：{'、'.join(still)}（具体问题见本通报第{_sections(True)['praise']}部分）。")
    return out


def _rectification_lines(result: QuarterResult, rect: pd.DataFrame) -> list[str]:
    name = _names(result)
    resolved = rect["resolved"].fillna(False).astype(bool)
    done, open_ = rect[resolved], rect[~resolved]
    units = _ordered(result, rect["unit_id"])
    when = ""
    if "previous_quarter" in rect and rect["previous_quarter"].notna().any():
        when = f"（{_quarter_label(rect['previous_quarter'].dropna().iloc[0])}）"
    out = [f"上期{when}通报批评的{len(units)}个单位涉及问题{len(rect)}项，已整改{len(done)}项，"
           f"尚未整改{len(open_)}项。"]
    fixed_units = [u for u in units if u not in set(open_["unit_id"])]
    if fixed_units:
        out.append(f"已全部完成整改的单位：{'、'.join(name(u) for u in fixed_units)}。")
    for u in _ordered(result, open_["unit_id"]):
        mine = open_[open_["unit_id"] == u]
        items = []
        for r in mine.itertuples():
            status = getattr(r, "status_now", None)
            tail = f"（{status}）" if isinstance(status, str) and status else ""
            items.append(f"“{r.reason}”尚未整改{tail}")
        lead = f"{name(u)}：上期通报的问题中，" if len(items) > 1 else f"{name(u)}：上期通报的"
        text = lead + "；".join(items) + "。"
        twice = mine["criticised_twice"] if "criticised_twice" in mine else pd.Series(dtype=bool)
        if twice.fillna(False).astype(bool).any():
            text += "该单位已连续两个季度被通报批评。"
        out.append(text)
    return out


def _sections(with_rectification: bool) -> dict[str, str]:
    """Chinese numbers of the first-level headings; 上期问题整改情况 is left out when empty."""
    keys = (["rect"] if with_rectification else []) + ["overall", "ranking", "praise", "problems", "next"]
    return {k: SEQ[i] for i, k in enumerate(keys)}


def _problems(result: QuarterResult) -> dict:
    name = _names(result)
    issues = result.issues
    sev = issues["severity"].astype(str)
    codes = issues["code"].astype(str).value_counts()
    rec = result.reconciliation[result.reconciliation["unit_id"].isin(_ranked_ids(result))]

    def by_task(verdict: str, due_only: bool) -> list[dict]:
        rows = rec[(rec["verdict"] == verdict) & (rec["due"].astype(bool) if due_only else True)]
        if verdict == "unreported":  # a task row left out of a return (missing returns are counted apart)
            rows = rows[rows["source"].isna() & rows["unit_id"].isin(_accepted_ids(result))]
        out = []
        for task_id, grp in rows.groupby("task_id", sort=True):
            ids = _ordered(result, grp["unit_id"])
            out.append({"task_id": int(task_id), "deadline_text": str(grp["deadline_text"].iloc[0]),
                        "n": len(ids), "names": [name(u) for u in ids]})
        return out

    return {
        "n_issues": len(issues),
        "n_errors": int((sev == "error").sum()),
        "n_warnings": int((sev == "warning").sum()),
        "n_issue_units": int(issues["unit_id"].replace("", pd.NA).dropna().nunique()),
        "codes": [{"code": c, "label": ISSUE_CODES.get(c, ("", c))[1], "n": int(n)}
                  for c, n in sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))],
        "overdue_tasks": by_task("overdue", False),
        "unreported_tasks": by_task("unreported", True),
    }


def _catalogue_quality(result: QuarterResult) -> str:
    """The paragraph on the standard catalogues units sent this quarter (inputs/<Q>/目录/), or
    "" when none were sent to the office."""
    if "catalogue_audit" not in result.extra:
        return ""
    from ..catalogue.report import catalogue_paragraph

    return catalogue_paragraph(result.extra["catalogue_audit"], result.reference,
                               result.extra.get("catalogue_items"))


def _accepted_ids(result: QuarterResult) -> set[str]:
    return set(result.ledger.loc[result.ledger["state"] == "accepted", "unit_id"])


def _issue_rows(result: QuarterResult) -> list[dict]:
    name = _names(result)
    issues = result.issues.copy()
    order = result.reference.units.set_index("unit_id")["order"]
    issues["_o"] = issues["unit_id"].map(order).fillna(10**6)
    issues = issues.sort_values(["_o", "file", "sheet", "cell"], kind="stable", na_position="first")
    rows = []
    for i, r in enumerate(issues.itertuples(), start=1):
        loc = "!".join(str(p) for p in (r.file, r.sheet, r.cell) if isinstance(p, str) and p)
        rows.append({"n": i, "unit": name(r.unit_id) if isinstance(r.unit_id, str) and r.unit_id else "—",
                     "location": loc or "—", "severity": SEVERITY_LABELS.get(str(r.severity), str(r.severity)),
                     "code": str(r.code), "message": str(r.message)})
    return rows


def bulletin_context(result: QuarterResult) -> dict:
    """Everything the 通报 text shows, from the tables only (pure; no I/O)."""
    cfg = result.reference.settings.as_dict()["bulletin"]
    overall, per_group = _averages(result)
    groups = []
    for g in RANKED:
        block = _group_block(result, g, SEQ[len(groups)], per_group[g])
        if block:
            groups.append(block)
    cat = _catalogue(result)
    scores = result.scores
    commended = []
    for g in groups:
        ids = scores.loc[(scores["group"] == g["group"]) & scores["commended"].astype(bool), "short_name"]
        if len(ids):
            commended.append({"label": g["label"], "names": list(ids)})
    crit = scores[scores["criticised"].astype(bool)]
    contact = "，".join(x for x in (
        cfg.get("contact_person", ""),
        f"联系电话：{cfg['contact_phone']}" if cfg.get("contact_phone") else "",
        f"电子邮箱：{cfg['contact_email']}" if cfg.get("contact_email") else "") if x)
    ov = _returns(result) | _tasks(result) | {k: v for k, v in cat.items() if k != "catalogue_gaps"}
    ov |= overall
    pr = _problems(result) | {"catalogue_gaps": cat["catalogue_gaps"],
                              "with_catalogue": "catalogue_audit" in result.extra}
    rectification = _rectification(result)
    date = pd.Timestamp(cfg["date"]).date() if cfg.get("date") else result.as_of
    return {
        "quarter": str(result.quarter),
        "quarter_label": result.quarter.label,
        "issuer": cfg.get("issuer", ""),
        "office": cfg.get("office", cfg.get("issuer", "")),
        "recipients": cfg.get("recipients", ""),
        "doc_number": cfg.get("doc_number", ""),
        "as_of": result.as_of.isoformat(),
        "as_of_text": cn_date(result.as_of),
        "date_text": cn_date(date),
        "rectification": rectification,
        "sec": _sections(bool(rectification)),
        "ov": ov,
        "catalogue_quality": _catalogue_quality(result),
        "groups": groups,
        "commended": commended,
        "criticised": [{"name": r.short_name, "group": GROUP_LABELS.get(r.group, r.group),
                        "reasons": str(r.reasons)} for r in crit.itertuples()],
        "pr": pr,
        "next_steps": list(cfg.get("next_steps", [])),
        "contact": contact,
        "issue_rows": _issue_rows(result),
    }


# ---- rendering -------------------------------------------------------------------------------
def prepare_bulletin(result: QuarterResult, template: str | Path | None = None) -> tuple:
    """The template, opened, and the text's context: all of the 通报 that does not need the
    charts (run.render_outputs does this while the charts are still being drawn)."""
    from docxtpl import DocxTemplate

    return DocxTemplate(str(template or TEMPLATE)), bulletin_context(result)


def render_bulletin_docx(result: QuarterResult, path: str | Path,
                         charts: dict[str, Path] | None = None,
                         template: str | Path | None = None, prepared: tuple | None = None) -> Path:
    """Write 通报_<Q>.docx; `charts` maps chart keys (see charts.py) to PNG files to embed.
    `prepared`: what prepare_bulletin(result, template) returned, used once."""
    from docx.shared import Mm
    from docxtpl import InlineImage

    path = Path(path)
    tpl, context = prepared or prepare_bulletin(result, template)
    charts = {k: Path(v) for k, v in (charts or {}).items() if v and Path(v).exists()}
    shown = [k for k in FIGURE_ORDER if k in charts and _chart_shown(k, context)]
    context["img"] = {k: InlineImage(tpl, str(charts[k]), width=Mm(CHART_WIDTH_MM)) for k in shown}
    context["fig"] = {k: i for i, k in enumerate(shown, start=1)}
    tpl.render(context, autoescape=True)
    _centre_signature(tpl.docx)
    stamp = dt.datetime.combine(result.as_of, dt.time(9, 0))
    props = tpl.docx.core_properties
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    props.title = document_title(tpl.docx)
    props.author = props.last_modified_by = context["issuer"] or "zwgk"
    tpl.save(str(path))
    _normalise_zip(path, stamp)
    return path


def document_title(document) -> str:
    """The title as the template words it (its 公文标题 lines joined)."""
    return "".join(p.text.replace("\n", "") for p in document.paragraphs if p.style.name == TITLE_STYLE)


def text_width(text: str) -> float:
    """Width in body characters: CJK and full-width forms 1, everything else ½."""
    return sum(1 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def _centre_signature(document) -> None:
    """GB/T 9704 7.3.5.1: the 成文日期 right 4 characters, the 署名 centred over it."""
    from docx.oxml.ns import qn
    from docx.shared import Twips

    paras = document.paragraphs
    for i, p in enumerate(paras[:-1]):
        date = paras[i + 1]
        if p.style.name != SIGNATURE_STYLE or date.style.name != DATE_STYLE:
            continue
        right = max(0.0, DATE_RIGHT_CHARS + (text_width(date.text) - text_width(p.text)) / 2)
        p.paragraph_format.right_indent = Twips(round(right * BODY_TWIPS))  # w:ind in schema order
        # Word and WPS prefer the character unit (it overrides the style's 4 characters)
        p._p.pPr.find(qn("w:ind")).set(qn("w:rightChars"), str(round(right * 100)))


def _chart_shown(key: str, context: dict) -> bool:
    if key.startswith("ranking_"):
        return any(g["chart"] == key for g in context["groups"])
    return True


def _normalise_zip(path: Path, stamp: dt.datetime) -> None:
    """Rewrite the package with fixed entry times so that same inputs give the same bytes."""
    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info)) for info in src.infolist()]
    fixed = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=fixed)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            out.writestr(info, data)
