"""The 通报 (.docx): a docxtpl template filled from a context that formats the summary table.

Every figure the text quotes comes from `pipeline.summary.summary(result)` (also written to
data/summary); `bulletin_context` only words and formats them. The wording and the GB/T
9704-2012 layout live in `pipeline/assets/bulletin_template.docx` (built by
`tools/assets/build_bulletin_template.py`, `make template`; editable in Word or WPS). After rendering, the
attachment tables get column widths measured from their content, so that no number wraps. The
attachment tables' rows (every unit) are not rendered by docxtpl but written as text while the
package is written (`docx_rows`): a document tree of them took ~450 MB at 10,000 units.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import io
import os
import re
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd

from ..dates import parse_quarter
from ..figures import Figures, split_units
from ..fingerprint import code_fingerprint
from ..issues import ISSUE_CODES
from ..names import RECTIFICATION_KIND_PHRASES, SEVERITY_LABELS, group_labels
from ..outputs import FILE_MODE, umask
from ..result import QuarterResult
from .docx_rows import real_rows, with_row_markers, write_document
from .township import township_paragraph, township_rows

TEMPLATE = Path(__file__).resolve().parents[1] / "assets" / "bulletin_template.docx"
DOCUMENT_PART = "word/document.xml"
# Style names the renderer relies on (the template defines them; see build_bulletin_template.py).
TITLE_STYLE, SIGNATURE_STYLE, DATE_STYLE = "公文标题", "落款", "成文日期"
DATE_RIGHT_CHARS = 4  # 成文日期右空四字
BODY_TWIPS = 16 * 20  # one 3号 character
RANKED = ("base", "dept")
SEQ = "一二三四五六七八九十"
TEXT_WIDTH_MM = 156  # 版心 width
# A figure and its caption stay under half the 225 mm text block: one that does not fit at the
# foot of a page leaves less than half of it empty.
FIGURE_MAX_HEIGHT_MM = 90
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


# ---- context: formats the figures of pipeline.summary (computes none) -----------------------
GROUP_AT = 4  # a tie of this many units or more is named by its first unit: 「湖滨区等9个单位」
LIST_AT = 10  # more criticised units than this: grouped by problem, the details in an 附件
DRAFT_MARK = "征求意见稿"


def _group_labels(result: QuarterResult) -> dict[str, str]:
    """The groups as this 通报 names them: a county's are its townships and departments."""
    return group_labels(result.reference.level)


def _namer(result: QuarterResult):
    short = result.reference.units.set_index("unit_id")["short_name"]
    return lambda ids: [short.get(u, u) for u in ids]


def _tied(rows: pd.DataFrame, names, group_at: int = GROUP_AT, where: str = "") -> list[str]:
    """One text per summary row of tied units: 「A（95.0分）」, 「A、B（均为100.0分）」, and
    「A等9个单位（均为100.0分）」 once a tie reaches `group_at` units (`where`: where the
    names are listed, added in the brackets)."""
    out = []
    for r in rows.itertuples():
        who = names(split_units(r.unit_ids))
        if len(who) >= group_at:
            out.append(f"{who[0]}等{len(who)}个单位（均为{r.value:.1f}分{'，' + where if where else ''}）")
        else:
            out.append(f"{'、'.join(who)}（{'均为' if len(who) > 1 else ''}{r.value:.1f}分）")
    return out


def _run_of_names(who: list[str], group_at: int = GROUP_AT) -> str:
    return f"{who[0]}等{len(who)}个单位" if len(who) >= group_at else "、".join(who)


def _overview(f: Figures, names, draft: bool) -> dict:
    def rate(section, key, group="all"):
        return pct(f.value(section, key, group), 1) if pd.notna(f.value(section, key, group)) else "—"

    return {
        "n_units": f.count("returns", "units"),
        "n_on_time": f.count("returns", "on_time"),
        "n_late": f.count("returns", "late"), "late_names": names(f.units("returns", "late")),
        "n_missing": f.count("returns", "missing"), "missing_names": names(f.units("returns", "missing")),
        "missing_word": "尚未报送" if draft else "未报送",
        "on_time_rate": rate("returns", "on_time_rate"),
        "n_rejected": f.count("returns", "rejected_files"),
        "tasks_due": f.count("tasks", "due"), "tasks_done": f.count("tasks", "done"),
        "tasks_on_time": f.count("tasks", "on_time"), "tasks_late": f.count("tasks", "late"),
        "tasks_overdue": f.count("tasks", "overdue"), "tasks_unreported": f.count("tasks", "unreported"),
        "done_rate": rate("tasks", "done_rate"), "tasks_ongoing": f.count("tasks", "ongoing"),
        "tasks_ongoing_filled": f.count("tasks", "ongoing_filled"),
        "tasks_pending": f.count("tasks", "pending"),
        "cat_units": f.count("catalogue", "units", "base"), "cat_total": f.count("catalogue", "total", "base"),
        "cat_published": f.count("catalogue", "published", "base"),
        "cat_rate": rate("catalogue", "rate", "base"),
        "cat_full_names": names(f.units("catalogue", "full", "base")),
        "plan_units": f.count("plans", "units", "dept"), "plan_total": f.count("plans", "total", "dept"),
        "plan_issued": f.count("plans", "issued", "dept"), "plan_rate": rate("plans", "rate", "dept"),
        "avg_total": score_text(f.value("averages", "mean")),
        "avg_change": change_words(f.value("averages", "change")),
    }


def change_words(delta: float) -> str:
    """較上季度 wording of a score change (NaN: no previous quarter → "")."""
    if delta is None or pd.isna(delta):
        return ""
    if delta > 0:
        return f"较上季度提高{delta:.1f}分"
    if delta < 0:
        return f"较上季度下降{-delta:.1f}分"
    return "与上季度持平"


def _catalogue_gaps(f: Figures, names) -> list[dict]:
    """Units short of a full catalogue, neighbours with the same counts named together."""
    published, total = f.rows("catalogue", "short_published", "base"), f.rows("catalogue", "short_total", "base")
    out: list[dict] = []
    for p, t in zip(published.itertuples(), total.itertuples(), strict=True):
        counts = (int(p.value), int(t.value))
        (name,) = names(split_units(p.unit_ids))
        if out and (out[-1]["published"], out[-1]["total"]) == counts:
            out[-1]["names"].append(name)
        else:
            out.append({"names": [name], "published": counts[0], "total": counts[1]})
    return out


def _group_block(result: QuarterResult, f: Figures, names, g: str, seq: str) -> dict | None:
    s = result.scores[result.scores["group"] == g].sort_values("rank", kind="stable")
    if s.empty:
        return None
    rows = [{
        "rank": int(r.rank), "name": r.short_name,
        "timeliness": share_text(r.timeliness), "completion": share_text(r.completion),
        "catalogue": share_text(r.catalogue), "quality": share_text(r.quality),
        "total": score_text(r.total), "grade": r.grade, "change": change_text(r.rank_change),
        "note": "表扬" if bool(r.commended) else "批评" if bool(r.criticised) else "",
    } for r in s.itertuples()]
    moved = {k: [f"{names(split_units(r.unit_ids))[0]}（{'上升' if k == 'up' else '下降'}{int(r.value)}位）"
                 for r in f.rows("ranking", k, g).itertuples()] for k in ("up", "down")}
    return {
        "group": g, "label": _group_labels(result)[g], "seq": f"（{seq}）", "n": f.count("ranking", "n", g), "rows": rows,
        "grade_counts": [{"grade": r.text, "n": int(r.value)} for r in f.rows("ranking", "grade", g).itertuples()],
        "top": _tied(f.rows("ranking", "top", g), names), "bottom": _tied(f.rows("ranking", "bottom", g), names),
        "up": moved["up"], "down": moved["down"],
        "not_reported": _run_of_names(names(f.units("ranking", "not_reported", g)), LIST_AT + 1),
        "has_previous": bool(f.count("ranking", "has_previous", g)),
        "chart": f"ranking_{g}", "avg": score_text(f.value("averages", "mean", g)),
        "avg_change": change_words(f.value("averages", "change", g)),
    }


def _quarter_label(value) -> str:
    try:
        return parse_quarter(str(value)).label
    except ValueError:
        return str(value)


def _rectification(f: Figures, names) -> list[str]:
    """上期问题整改情况 in two or three sentences; the per-item list is an 附件 (rect_rows).
    An empty list (no previous quarter, or nobody criticised in it) leaves the section out."""
    if not f.count("rectification", "units"):
        return []
    when = f.text("rectification", "units")
    when = f"（{_quarter_label(when)}）" if when else ""
    out = [f"上期{when}通报批评的{f.count('rectification', 'units')}个单位涉及问题"
           f"{f.count('rectification', 'items')}项，已整改{f.count('rectification', 'resolved')}项，"
           f"尚未整改{f.count('rectification', 'open')}项。"]
    fixed = names(f.units("rectification", "fixed_all"))
    if fixed:
        out.append(f"{_run_of_names(fixed)}已全部完成整改。")
    open_ = names(f.units("rectification", "open"))
    twice = names(f.units("rectification", "still_open_twice"))
    if open_:
        text = f"仍有问题未整改的单位{len(open_)}个"
        if twice:
            text += f"，其中{'、'.join(twice)}本季度再次被通报批评"
        out.append(text + "。")
    return out


def _rect_rows(result: QuarterResult) -> list[dict]:
    """The per-item rectification list of the 附件 (the rectification table, formatted)."""
    rect = result.extra.get("rectification")
    if rect is None or rect.empty:
        return []
    order = result.reference.units.set_index("unit_id")["order"]
    rect = rect.assign(_o=rect["unit_id"].map(order)).sort_values("_o", kind="stable")
    names = _namer(result)
    return [{"n": i, "unit": names([r.unit_id])[0], "reason": str(r.reason), "status": str(r.status_now),
             "resolved": "已整改" if bool(r.resolved) else "未整改"}
            for i, r in enumerate(rect.itertuples(), start=1)]


def _sections(with_rectification: bool) -> dict[str, str]:
    """Chinese numbers of the first-level headings; 上期问题整改情况 is left out when empty."""
    keys = (["rect"] if with_rectification else []) + ["overall", "ranking", "praise", "problems", "next"]
    return {k: SEQ[i] for i, k in enumerate(keys)}


def _problems(f: Figures, names) -> dict:
    def by_task(key):
        return [{"task_id": int(r.value), "deadline_text": r.text, "n": len(split_units(r.unit_ids)),
                 "names": names(split_units(r.unit_ids))} for r in f.rows("problems", key).itertuples()]

    return {
        "n_issues": f.count("problems", "issues"), "n_errors": f.count("problems", "errors"),
        "n_warnings": f.count("problems", "warnings"), "n_issue_units": f.count("problems", "issue_units"),
        "codes": [{"code": r.text, "label": ISSUE_CODES.get(r.text, ("", r.text))[1], "n": int(r.value)}
                  for r in f.rows("problems", "code").itertuples()],
        "overdue_tasks": by_task("overdue_task"), "unreported_tasks": by_task("unreported_task"),
    }


def _criticism(result: QuarterResult, f: Figures, names) -> dict:
    """Each criticised unit with its reasons, or — past LIST_AT units — one sentence per kind
    of problem in the text and the units' reasons in an 附件 (crit_rows)."""
    each = [{"name": names([u])[0], "group": _group_labels(result).get(g, g), "reasons": r.text}
            for g in RANKED for r in f.rows("criticism", "criticised", g).itertuples()
            for u in split_units(r.unit_ids)]
    if len(each) <= LIST_AT:
        return {"criticised": each, "crit_kinds": [], "crit_rows": []}
    kinds = [{"label": RECTIFICATION_KIND_PHRASES.get(r.text, r.text), "n": int(r.value),
              "names": _run_of_names(names(split_units(r.unit_ids)), LIST_AT + 1)}
             for r in f.rows("criticism", "by_kind").itertuples()]
    rows = [{"n": i, "unit": c["name"], "group": c["group"], "reasons": c["reasons"]}
            for i, c in enumerate(each, start=1)]
    return {"criticised": each, "crit_kinds": kinds, "crit_rows": rows}


def _catalogue_quality(result: QuarterResult) -> str:
    """The paragraph on the standard catalogues units sent this quarter (inputs/<Q>/目录/), or
    "" when none were sent to the office."""
    if "catalogue_audit" not in result.extra:
        return ""
    from ..catalogue.report import catalogue_paragraph  # (the catalogue package loads its audit)

    return catalogue_paragraph(result.extra["catalogue_audit"], result.reference,
                               result.extra.get("catalogue_items"))


def _issue_rows(result: QuarterResult) -> list[dict]:
    names = _namer(result)
    issues = result.issues.copy()
    order = result.reference.units.set_index("unit_id")["order"]
    issues["_o"] = issues["unit_id"].map(order).fillna(10**6)
    issues = issues.sort_values(["_o", "file", "sheet", "cell"], kind="stable", na_position="first")
    rows = []
    for i, r in enumerate(issues.itertuples(), start=1):
        loc = "!".join(str(p) for p in (r.file, r.sheet, r.cell) if isinstance(p, str) and p)
        rows.append({"n": i, "unit": names([r.unit_id])[0] if isinstance(r.unit_id, str) and r.unit_id else "—",
                     "location": loc or "—", "severity": SEVERITY_LABELS.get(str(r.severity), str(r.severity)),
                     "code": str(r.code), "message": str(r.message)})
    return rows


RANKING_NOTE = "名单见{label}“备注”栏"


def _attachments(quarter_label: str, **present: bool) -> tuple[dict, list[dict]]:
    """The 附件 in order, numbered only when there are several (GB/T 9704 7.3.4)."""
    titles = {"ranking": "{q}各单位综合评分排名", "rect": "上期通报问题整改情况",
              "crit": "{q}通报批评单位问题清单", "township": "{q}各县（市、区）乡镇（街道）工作进展汇总",
              "issues": "{q}报表问题清单"}
    keys = [k for k in titles if present.get(k)]
    many = len(keys) > 1
    listed = [{"key": k, "n": str(i) if many else "", "label": f"附件{i if many else ''}",
               "title": titles[k].format(q=quarter_label)} for i, k in enumerate(keys, start=1)]
    return {a["key"]: a for a in listed}, listed


def run_date(result: QuarterResult, date=None) -> dt.date:
    """成文日期: the date given, else the settings' date, else the day of the run."""
    cfg = result.reference.settings.as_dict()["bulletin"]
    if date:
        return pd.Timestamp(date).date()
    if cfg.get("date"):
        return pd.Timestamp(cfg["date"]).date()
    return dt.date.today()


def bulletin_context(result: QuarterResult, *, doc_number: str | None = None, date=None,
                     draft: bool = False) -> dict:
    """Everything the 通报 shows, formatted from the summary table (pure apart from the default
    成文日期, today). `doc_number` and `date` override the settings; `draft` marks every page
    征求意见稿."""
    cfg = result.reference.settings.as_dict()["bulletin"]
    if "summary" not in result.extra:  # render formats; stages.compute_quarters computes it
        raise ValueError("QuarterResult.extra 缺少 summary 表：请用 stages.compute_quarter 或 summary.with_summary 计算")
    f = Figures(result.extra["summary"])
    names = _namer(result)
    groups = []
    for g in RANKED:
        block = _group_block(result, f, names, g, SEQ[len(groups)])
        if block:
            groups.append(block)
    rect_rows = _rect_rows(result) if f.count("rectification", "units") else []
    crit = _criticism(result, f, names)
    issue_rows = _issue_rows(result)
    townships = result.extra.get("township_summary")
    township_rows_ = township_rows(townships)
    label = result.quarter.label
    att, attachments = _attachments(label, ranking=True, rect=bool(rect_rows), crit=bool(crit["crit_rows"]),
                                    township=bool(township_rows_), issues=bool(issue_rows))
    commended = []
    for g in groups:
        ties = f.rows("praise", "commended", g["group"])
        who = [n for x in ties["unit_ids"] for n in names(split_units(x))]
        if who:
            grouped = any(len(split_units(x)) >= GROUP_AT for x in ties["unit_ids"])
            commended.append({"label": g["label"], "n": len(who), "grouped": grouped,
                              "names": _tied(ties, names, where=RANKING_NOTE.format(**att["ranking"]))
                              if grouped else who})
    contact = "，".join(x for x in (
        cfg.get("contact_person", ""),
        f"联系电话：{cfg['contact_phone']}" if cfg.get("contact_phone") else "",
        f"电子邮箱：{cfg['contact_email']}" if cfg.get("contact_email") else "") if x)
    ov = _overview(f, names, draft)
    pr = _problems(f, names) | {"catalogue_gaps": _catalogue_gaps(f, names),
                                "catalogue_missing": names(f.units("catalogue", "not_reported", "base")),
                                "with_catalogue": "catalogue_audit" in result.extra}
    rectification = _rectification(f, names)
    day = run_date(result, date)
    return {
        "quarter": str(result.quarter),
        "quarter_label": label,
        "issuer": cfg.get("issuer", ""),
        "office": cfg.get("office", cfg.get("issuer", "")),
        "recipients": cfg.get("recipients", ""),
        "scope": cfg["scope"] or "各报送单位",
        "labels": _group_labels(result),
        "doc_number": doc_number if doc_number is not None else cfg.get("doc_number", ""),
        "draft": bool(draft),
        "draft_mark": DRAFT_MARK if draft else "",
        "as_of": result.as_of.isoformat(),
        "as_of_text": cn_date(result.as_of),
        "date": day.isoformat(),
        "date_text": cn_date(day),
        "cc": cfg.get("cc", ""),
        "printer": cfg["printer"] or cfg["issuer"],
        "print_date_text": cn_date(day),
        "rectification": rectification,
        "rect_rows": rect_rows,
        "township": township_paragraph(townships, result.reference),
        "township_rows": township_rows_,
        "sec": _sections(bool(rectification)),
        "ov": ov,
        "catalogue_quality": _catalogue_quality(result),
        "groups": groups,
        "commended": commended,
        **crit,
        "pr": pr,
        "next_steps": list(cfg.get("next_steps", [])),
        "contact": contact,
        "issue_rows": issue_rows,
        "att": att,
        "attachments": attachments,
    }


# ---- rendering -------------------------------------------------------------------------------
def prepare_bulletin(result: QuarterResult, template: str | Path | None = None, *,
                     doc_number: str | None = None, date=None, draft: bool = False) -> tuple:
    """The template, opened, and the text's context: all of the 通报 that does not need the
    charts (run.render_outputs does this while the charts are still being drawn)."""
    from docxtpl import DocxTemplate

    context = bulletin_context(result, doc_number=doc_number, date=date, draft=draft)
    return DocxTemplate(str(template or TEMPLATE)), context


# What compiled code depends on besides its source: jinja2's and docxtpl's versions (jinja2's own
# cache header holds only its format number and Python's version) and the settings below.
_ENVIRONMENT = {"autoescape": True}


@functools.lru_cache(maxsize=1)
def _compiled_tag() -> str:
    return code_fingerprint((), ("Jinja2", "docxtpl"), repr(sorted(_ENVIRONMENT.items())))[:16]


def compiled_once(cache_dir: str | Path | None = None):
    """The jinja2 Environment the template is rendered with. docxtpl compiles each XML part of
    the template with `from_string` on every render — two thirds of the .docx's time, for parts
    that are the same every run. Here `from_string` goes through a loader instead (the part's
    name is its source's sha256), so that with `cache_dir` jinja2's own bytecode cache (checked
    against the source; its files named after jinja2's and docxtpl's versions and these settings,
    those of other versions removed) keeps the compiled parts between runs."""
    import jinja2

    sources: dict[str, str] = {}

    class CompiledOnce(jinja2.Environment):
        def from_string(self, source, globals=None, template_class=None):  # noqa: A002 - jinja2's name
            name = hashlib.sha256(source.encode()).hexdigest()
            sources[name] = source
            return self.get_template(name, globals=globals)

    class Kept(jinja2.FileSystemBytecodeCache):
        """jinja2's cache, except that a torn or foreign file is compiled again (jinja2 raises
        on some), files get the mode the user's umask gives, and a cache that cannot be written
        only costs speed."""

        def load_bytecode(self, bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # noqa: BLE001 - whatever the file holds, it is not used
                bucket.reset()

        def dump_bytecode(self, bucket) -> None:
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)
                os.chmod(self._get_cache_filename(bucket), FILE_MODE & ~umask())

    cache = None
    if cache_dir is not None:
        folder = Path(cache_dir) / "jinja"
        tag = _compiled_tag()
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.iterdir():  # compiled by other versions: never read again
                if not old.name.startswith(tag):
                    old.unlink(missing_ok=True)
            cache = Kept(str(folder), pattern=f"{tag}_%s.cache")
    return CompiledOnce(loader=jinja2.FunctionLoader(lambda name: (sources[name], None, lambda: True)),
                        bytecode_cache=cache, **_ENVIRONMENT)


def render_bulletin_docx(result: QuarterResult, path: str | Path,
                         charts: dict[str, Path] | None = None,
                         template: str | Path | None = None, prepared: tuple | None = None, *,
                         doc_number: str | None = None, date=None, draft: bool = False,
                         cache_dir: str | Path | None = None) -> Path:
    """Write 通报_<Q>.docx; `charts` maps chart keys (see charts.py) to PNG files to embed.
    `doc_number` (文号) and `date` (成文日期; default: the settings' date, else today) override
    the settings; `draft` marks every page 征求意见稿. `prepared`: what prepare_bulletin(result,
    template, …) returned, used once (it already holds number, date and draft). `cache_dir`
    (outputs/.cache): the template's compiled parts are kept there (compiled_once)."""
    from docxtpl import InlineImage

    path = Path(path)
    tpl, context = prepared or prepare_bulletin(result, template, doc_number=doc_number, date=date,
                                                draft=draft)
    charts = {k: Path(v) for k, v in (charts or {}).items() if v and Path(v).exists()}
    shown = [k for k in FIGURE_ORDER if k in charts and _chart_shown(k, context)]
    context, tables = with_row_markers(context)  # the 附件 rows are written as text (docx_rows)
    context["img"] = {k: InlineImage(tpl, str(charts[k]), **figure_size(charts[k])) for k in shown}
    context["fig"] = {k: i for i, k in enumerate(shown, start=1)}
    tpl.render(context, compiled_once(cache_dir), autoescape=True)
    _centre_signature(tpl.docx)
    fit_tables(tpl.docx, tables)
    stamp = dt.datetime.combine(result.as_of, dt.time(9, 0))
    props = tpl.docx.core_properties
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    props.title = document_title(tpl.docx)
    props.author = props.last_modified_by = context["issuer"] or "zwgk"
    package = io.BytesIO()
    tpl.save(package)
    _write_package(package, path, stamp, tables)
    return path


def figure_size(png: Path) -> dict:
    """The width (text block) or height (FIGURE_MAX_HEIGHT_MM) that the PNG is shown at."""
    from docx.shared import Mm
    from PIL import Image

    with Image.open(png) as im:
        w, h = im.size
    if TEXT_WIDTH_MM * h / w <= FIGURE_MAX_HEIGHT_MM:
        return {"width": Mm(TEXT_WIDTH_MM)}
    return {"height": Mm(FIGURE_MAX_HEIGHT_MM)}


# ---- attachment tables: column widths from content -----------------------------------------
TABLE_PT = 10.5  # 表格文字 (5号)
CELL_MARGIN_PT = 57 / 20  # the template's 1 mm cell margins, each side
_UNBREAKABLE = re.compile(r"^[\d.%↑↓—\-+]+$")


SHORT_WORD = 4  # a cell line of up to this many characters (已整改, 优秀, 批评) is not broken


@functools.lru_cache(maxsize=1 << 16)  # the 附件 repeat grades, shares and words
def cell_width_pt(text: str) -> tuple[float, float]:
    """(widest line, widest unbreakable piece) of a cell's text at 5号, in points. Numbers
    (「100.0%」, 「↑2」) and short words never break; longer CJK text may break between any
    two characters."""
    lines = text.split("\n")
    full = max(_pt(ln) for ln in lines)
    pieces = [ln for ln in lines if _UNBREAKABLE.match(ln.strip() or "x") or len(ln.strip()) <= SHORT_WORD]
    hard = max([_pt(p) for p in pieces] + [max((_pt(c) for c in text if not c.isspace()), default=0)])
    return full, hard


_EM = {".": 0.25, "%": 0.833, " ": 0.25}  # Times New Roman (and its metric twin Liberation Serif)


def _pt(text: str) -> float:
    # CJK, full-width and arrows 1 em; digits ½ em; other Latin at most 0.72 em
    return TABLE_PT * sum(1.0 if unicodedata.east_asian_width(c) in "WFA"
                          else _EM.get(c, 0.5 if c.isdigit() else 0.72) for c in text)


def column_widths(cells: list[list[str]], total_pt: float) -> list[float]:
    """Widths (pt) summing to total_pt: every column at least its widest unbreakable piece (and
    its header's widest line), the space left shared in proportion to what each still wants."""
    cols = list(zip(*cells, strict=True))
    pad = 2 * CELL_MARGIN_PT + 3  # both cell margins and 3 pt to spare
    need = [max(cell_width_pt(t)[1] for t in col) + pad for col in cols]
    header = [max(_pt(ln) for ln in col[0].split("\n")) + pad for col in cols]
    need = [max(a, b) for a, b in zip(need, header, strict=True)]
    want = [max(max(cell_width_pt(t)[0] for t in col) + pad, n) for col, n in zip(cols, need, strict=True)]
    spare = total_pt - sum(need)
    extra = [w - n for w, n in zip(want, need, strict=True)]
    if spare <= 0 or not sum(extra):
        scale = total_pt / sum(need)
        return [n * scale for n in need] if spare < 0 else [n + spare / len(need) for n in need]
    if spare >= sum(extra):  # everything fits on one line: the rest to the widest column
        widths = list(want)
        widths[max(range(len(want)), key=want.__getitem__)] += spare - sum(extra)
        return widths
    return [n + spare * e / sum(extra) for n, e in zip(need, extra, strict=True)]


def fit_tables(document, tables: list[list[dict]] | None = None) -> None:
    """Set every table's grid and cell widths from its content (see column_widths). A row of
    markers (docx_rows.with_row_markers) stands for the rows of `tables` it names."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for table in document.tables:
        rows = [texts for r in table.rows for texts in real_rows([c.text for c in r.cells], tables or [])]
        if not rows or len({len(r) for r in rows}) != 1:
            continue
        total = sum(int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))) / 20
        widths = column_widths(rows, total)
        for g, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
            g.set(qn("w:w"), str(round(w * 20)))
        for r in table.rows:
            for c, w in zip(r.cells, widths, strict=True):
                c.width = Pt(w)


def document_title(document) -> str:
    """The title as the template words it (its 公文标题 lines joined)."""
    title = _style_id(document, TITLE_STYLE)
    if title is None:  # an unstyled paragraph's style is None too: it is no title
        return ""
    return "".join(p.text.replace("\n", "") for p in document.paragraphs if p._p.style == title)


def _style_id(document, name: str) -> str | None:
    """The id paragraphs of style `name` carry (`p.style.name` looks the style up every time:
    ~0.6 ms a paragraph), None when the template has no such style."""
    try:
        return document.styles[name].style_id
    except KeyError:
        return None


def text_width(text: str) -> float:
    """Width in body characters: CJK and full-width forms 1, everything else ½."""
    return sum(1 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def _centre_signature(document) -> None:
    """GB/T 9704 7.3.5.1: the 成文日期 right 4 characters, the 署名 centred over it."""
    from docx.oxml.ns import qn
    from docx.shared import Twips

    paras = document.paragraphs
    signature, date_style = _style_id(document, SIGNATURE_STYLE), _style_id(document, DATE_STYLE)
    for i, p in enumerate(paras[:-1]):
        date = paras[i + 1]
        if None in (signature, date_style) or p._p.style != signature or date._p.style != date_style:
            continue
        right = max(0.0, DATE_RIGHT_CHARS + (text_width(date.text) - text_width(p.text)) / 2)
        p.paragraph_format.right_indent = Twips(round(right * BODY_TWIPS))  # w:ind in schema order
        # Word and WPS prefer the character unit (it overrides the style's 4 characters)
        p._p.pPr.find(qn("w:ind")).set(qn("w:rightChars"), str(round(right * 100)))


def _chart_shown(key: str, context: dict) -> bool:
    if key.startswith("ranking_"):
        return any(g["chart"] == key for g in context["groups"])
    return True


def _write_package(package: io.BytesIO, path: Path, stamp: dt.datetime, tables: list[list[dict]]) -> None:
    """Write the package with fixed entry times (same inputs, same bytes), the 附件 rows
    streamed into document.xml (docx_rows.write_document)."""
    fixed = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for entry in src.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=fixed)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            data = src.read(entry)
            if entry.filename != DOCUMENT_PART:
                out.writestr(info, data)
                continue
            with out.open(info, "w") as dest:
                write_document(data.decode("utf-8"), tables, lambda text: dest.write(text.encode("utf-8")))
