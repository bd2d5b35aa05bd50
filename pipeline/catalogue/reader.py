"""Read the standard catalogues in `inputs/<Q>/目录/` into raw item rows, sheet records and issues.

Cells only: what a file is (`formats`: workbooks by their bytes, Word tables, and what cannot be
audited), which unit and domain a sheet belongs to, where its header is, and which rows make up
each item (`assemble`). Whether an item is complete is decided in `checks.py`. A bad file or sheet
becomes an issue, never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .. import names as N
from ..ingest.workbook import (
    Sheet,
    UnreadableWorkbook,
    a1,
    is_blank,
    match_columns,
    scan_labels,
)
from ..issues import Issue
from ..reference import Reference
from ..textnorm import clean, norm
from .assemble import SUB_SYNONYMS, assemble, item_record, read_rows
from .formats import DocxBook, NotAuditable, kind_label, open_catalogue
from .rules import Rules, load_rules

HEADER_SCAN_ROWS = 40
HEADER_HINT = "序号、公开事项（一级事项、二级事项）、公开内容、公开依据、公开时限、公开主体、公开渠道和载体、公开对象、公开方式"
TEXT_ELEMENTS = ("content", "basis", "time_limit", "subject", "channel")
_TEXT_HEADS = {"content": "公开内容", "basis": "公开依据", "time_limit": "公开时限",
               "subject": "公开主体", "channel": "公开渠道"}
_TICKS = {"audience": ("公开对象", ("全社会", "特定群众")),
          "method": ("公开方式", ("主动", "依申请")),
          "level": ("公开层级", ("县级", "乡级"))}
_SUB_PARENT = {"一级事项": "公开事项", "二级事项": "公开事项", "三级事项": "公开事项", "全社会": "公开对象",
               "特定群众": "公开对象", "主动": "公开方式", "依申请": "公开方式", "县级": "公开层级", "乡级": "公开层级"}
_NAME_LEVELS = ("一级事项", "二级事项", "三级事项")


@dataclass
class Layout:
    """Where the elements of a catalogue sheet are: 0-based columns; tick groups list (label, col)."""

    header_row: int
    first_row: int
    name_cols: tuple[int | None, ...]                 # 一级事项, 二级事项, 三级事项
    text_cols: dict[str, int | None]
    seq_col: int | None = None
    ticks: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    tick_text_cols: dict[str, int | None] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        """Labels of the 8 elements that have no column at all."""
        out = [] if any(c is not None for c in self.name_cols) else ["名称"]
        out += [N.CATALOGUE_ELEMENTS[k] for k, c in self.text_cols.items() if c is None]
        out += [N.CATALOGUE_ELEMENTS[k] for k in ("method", "audience")
                if not self.ticks.get(k) and self.tick_text_cols.get(k) is None]
        order = list(N.CATALOGUE_ELEMENTS.values())
        return sorted(out, key=order.index)


@dataclass
class FileReading:
    """What one catalogue file yields."""

    sheets: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    kind: str = ""          # 格式 as the office calls it: Excel, WPS表格, Word表格, PDF, 图片 …
    state: str = "已审核"   # 已审核 / 未审核 (not a table) / 无法读取
    reason: str = ""


# --- names in free text --------------------------------------------------------------------
def _spans(text: str, index: list[tuple[str, object]]) -> list[object]:
    """Values whose keys occur in `text` (longer keys win overlaps), in reading order."""
    taken: list[tuple[int, int, object]] = []
    for key, value in index:  # sorted longest first
        start = text.find(key)
        while start >= 0:
            end = start + len(key)
            if not any(s < end and start < e for s, e, _ in taken):
                taken.append((start, end, value))
            start = text.find(key, start + 1)
    return [value for _, _, value in sorted(taken, key=lambda t: t[0])]


@lru_cache(maxsize=8)
def _domain_index(reference: Reference) -> list[tuple[str, int]]:
    index: dict[str, int] = {}
    for d in reference.domains.itertuples():
        for name in [d.name, *str(d.aliases).split("|")]:
            key = norm(name)
            if key:
                index.setdefault(key + "领域", d.domain_id)
                index.setdefault(key, d.domain_id)
    return sorted(index.items(), key=lambda kv: -len(kv[0]))


@lru_cache(maxsize=8)
def _unit_index(reference: Reference) -> list[tuple[str, str]]:
    index: dict[str, str] = {}
    for u in reference.units.itertuples():
        for name in [u.short_name, u.name, *str(u.aliases).split("|")]:
            key = norm(name).replace("（", "(").replace("）", ")")
            if len(key) >= 2:
                index.setdefault(key, u.unit_id)
    return sorted(index.items(), key=lambda kv: -len(kv[0]))


def domain_in_text(text: object, reference: Reference) -> tuple[int | None, list[int]]:
    """(the one domain named in `text`, or None; every domain named). Tolerates 「领域」 and
    full-width characters; a text naming two domains is ambiguous (None)."""
    found = list(dict.fromkeys(_spans(norm(text), _domain_index(reference))))
    return (found[0] if len(found) == 1 else None), found


def unit_in_text(text: object, reference: Reference) -> str | None:
    """The unit a file name, title or label names: exact alias first, else the longest unit name
    contained in the text (a base unit preferred, as catalogues come from base units)."""
    exact = reference.resolve_unit(text)
    if exact:
        return exact
    key = norm(text).replace("（", "(").replace("）", ")")
    hits = list(dict.fromkeys(_spans(key, _unit_index(reference))))
    if not hits:
        return None
    base = [u for u in hits if reference.group(u) == "base"]
    return (base or hits)[0]


# --- cells ---------------------------------------------------------------------------------
def cell_text(value: object) -> str:
    """A cell as trimmed text; whole floats without .0, NFKC-folded."""
    if value is None or isinstance(value, bool):
        return "" if value is None else ("√" if value else "")
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            return str(int(value))
    return clean(value)


def ticked(value: object, rules: Rules | None = None) -> bool:
    """Whether a tick cell is ticked: √ ✓ ■ ▄ ☑ 是 1 … and other text; not □ 口 ☐ × 否 / … (the
    lists are in catalogue_rules.toml)."""
    return (rules or load_rules()).tick(cell_text(value))


# --- header --------------------------------------------------------------------------------
def find_layout(sheet: Sheet) -> Layout | None:
    """The catalogue header by its names: a row with at least four element headings (公开内容 or
    公开依据 among them), plus the sub-header row below it when there is one."""
    for r, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        top = match_columns(row, N.CATALOGUE_HEAD_SYNONYMS)
        same_sub = match_columns(row, SUB_SYNONYMS)
        named = len(set(top) - {"序号"}) + (1 if "公开事项" not in top and same_sub.get("一级事项") is not None else 0)
        if named < 4 or not ({"公开内容", "公开依据"} & set(top)):
            continue
        below = sheet.rows[r + 1] if r + 1 < len(sheet.rows) else []
        next_sub = _sub_header(row, below)
        sub, first = (next_sub, r + 2) if next_sub else (same_sub, r + 1)
        levels = [sub.get(level) for level in _NAME_LEVELS]
        if levels[0] is None:
            levels[0] = top.get("公开事项")
        names = tuple(c if c not in levels[:i] else None for i, c in enumerate(levels))
        layout = Layout(
            header_row=r, first_row=first, name_cols=names, seq_col=top.get("序号"),
            text_cols={k: top.get(h) for k, h in _TEXT_HEADS.items()})
        for key, (head, labels) in _TICKS.items():
            layout.ticks[key] = [(lab, sub[lab]) for lab in labels if lab in sub]
            layout.tick_text_cols[key] = None if layout.ticks[key] else top.get(head)
        return layout
    return None


def _parent(top: list[object], col: int) -> str | None:
    """The upper heading a lower-row column sits under (merged or written once, to the left)."""
    for c in range(min(col, len(top) - 1), -1, -1):
        if not is_blank(top[c]):
            return next(iter(match_columns([top[c]], N.CATALOGUE_HEAD_SYNONYMS)), None)
    return None


def _sub_header(top: list[object], below: list[object]) -> dict[str, int]:
    """Lower-row labels that sit in pairs under their heading (一级/二级事项 under 公开事项,
    全社会/特定群众 under 公开对象 …); a data row that happens to say 全社会 is not a header."""
    found = match_columns(below, SUB_SYNONYMS)
    ok = {label: col for label, col in found.items() if _parent(top, col) == _SUB_PARENT[label]}
    per_parent = {p: sum(1 for lab in ok if _SUB_PARENT[lab] == p) for p in set(_SUB_PARENT.values())}
    return {label: col for label, col in ok.items() if per_parent[_SUB_PARENT[label]] >= 2}


# --- rows ----------------------------------------------------------------------------------
def read_items(sheet: Sheet, layout: Layout, rules: Rules | None = None) -> tuple[list[dict], list[int]]:
    """Items (an item may span rows, see `assemble`) and the note rows of a sheet."""
    rules = rules or load_rules()
    rows, notes, _ = read_rows(sheet, layout, rules, cell_text)
    return [item_record(item, layout) for item in assemble(rows, layout)], notes


# --- one file ------------------------------------------------------------------------------
def _text_of_rows(sheet: Sheet, rows) -> str:
    parts = []
    for r in rows:
        if 0 <= r < len(sheet.rows):
            parts += [cell_text(v) for v in sheet.rows[r] if isinstance(v, str) and not is_blank(v)]
    return " ".join(dict.fromkeys(parts))


def _label_unit(sheet: Sheet, rows: list[int], reference: Reference) -> tuple[str | None, str]:
    """(unit, the name as written) from a 填报单位/编制单位 cell among `rows`."""
    for r in rows:
        hit = scan_labels(sheet, N.CATALOGUE_UNIT_LABELS, range(r, r + 1)).get("填报单位")
        if hit and cell_text(hit[0]):
            written = cell_text(hit[0])
            return unit_in_text(written, reference), written
    return None, ""


def read_catalogue_file(path: Path, name: str, reference: Reference, quarter: str,
                        data: bytes | None = None) -> FileReading:
    """One workbook: a record per catalogue sheet, its items, and the issues found. `data`: the
    file's bytes when they come from elsewhere than `path` (a member of a zip archive)."""
    out = FileReading()
    loc = {"file": name, "quarter": quarter}
    suffix = Path(name).suffix.lower()
    out.kind = kind_label(suffix, "")
    rules = load_rules(reference.folder)
    try:
        data = Path(path).read_bytes() if data is None else data
        book = open_catalogue(data, suffix)
    except NotAuditable as exc:
        out.kind, out.state, out.reason = exc.kind, "未审核", exc.reason
        out.issues.append(Issue(code="catalogue-not-auditable", message=exc.reason, **loc))
        return out
    except UnreadableWorkbook as exc:
        out.state, out.reason = "无法读取", str(exc)
        out.issues.append(Issue(code="catalogue-unreadable", message=f"{exc}", **loc))
        return out
    except OSError as exc:
        out.state, out.reason = "无法读取", f"文件无法打开（{exc.strerror}）"
        out.issues.append(Issue(code="catalogue-unreadable", message=out.reason, **loc))
        return out
    if isinstance(book, DocxBook):
        out.kind = "Word表格"
    stem = str(Path(name).with_suffix(""))
    file_unit = unit_in_text(stem, reference)
    file_domain, file_domains = domain_in_text(Path(name).stem, reference)
    if not file_domains:  # sub-folders named after the domain: 目录/城乡规划/…
        file_domain, file_domains = domain_in_text(str(Path(name).parent), reference)
    found: list[dict] = []
    for sheet_name in book.sheet_names:
        if sheet_name in book.hidden:
            continue
        try:
            sheet = book.sheet(sheet_name)
        except UnreadableWorkbook as exc:
            out.issues.append(Issue(code="catalogue-unreadable", message=str(exc), sheet=sheet_name, **loc))
            continue
        found.append(_read_sheet(sheet, reference, rules))
    book_unit = next((f["unit_id"] for f in found if f["unit_id"]), None)
    written = next((f["unit_text"] for f in found if f["unit_text"]), "")
    unknown_unit, any_catalogue, not_base = False, False, set()
    for f in found:
        sheet_name, layout = f["sheet"], f["layout"]
        if layout is None and not f["domain_id"]:
            continue  # a cover, note or stray blank sheet
        any_catalogue = True
        if layout is None and not f["blank"]:
            out.issues.append(Issue(
                code="catalogue-header-missing", sheet=sheet_name, cell="A1", **loc,
                message=f"工作表“{sheet_name}”找不到目录表头，请使用“{HEADER_HINT}”的表头"))
            continue
        unit = f["unit_id"] or file_unit or book_unit
        if unit is None:
            unknown_unit = True
            continue
        if reference.group(unit) != "base":
            not_base.add(unit)
            continue
        domain = f["domain_id"] or file_domain
        if domain is None:
            named = f["domains"] or file_domains
            names = "、".join(reference.domains.set_index("domain_id").loc[named, "name"])
            asked = f["question"] or (None if named else domain_question(
                " ".join([Path(name).stem, str(Path(name).parent)]), rules))
            if asked:
                why = f"“{asked[0]}”可能指{'、'.join(asked[1])}领域，请写明是哪一个"
            else:
                why = f"同时写有“{names}”" if len(named) > 1 else "未写明领域名称"
            out.issues.append(Issue(
                code="catalogue-domain-unknown", sheet=sheet_name, cell=f["anchor"], unit_id=unit, **loc,
                message=f"无法确定工作表“{sheet_name}”属于哪个试点领域（{why}），请将工作表或文件命名为"
                        "26个试点领域之一（如“城乡规划”），每个领域单独一个工作表"))
            continue
        out.sheets.append({"quarter": quarter, "unit_id": unit, "domain_id": int(domain), "file": name,
                           "sheet": sheet_name, "items": len(f["items"]),
                           "first_cell": a1(layout.first_row, 0) if layout else "A1"})
        if layout is not None and layout.missing:
            out.issues.append(Issue(
                code="catalogue-column-missing", sheet=sheet_name, cell=a1(layout.header_row, 0),
                unit_id=unit, **loc,
                message=f"目录表头缺少“{'、'.join(layout.missing)}”列，请按标准目录格式补齐8项要素"))
        for item in f["items"]:
            out.items.append({"quarter": quarter, "unit_id": unit, "domain_id": int(domain),
                              "file": name, "sheet": sheet_name, **item})
    if unknown_unit:
        guess = written or re.split(r"[_\-－—\s·]", Path(name).stem)[0]
        tips = reference.suggest_units(guess)
        tip = f"，是否为：{'、'.join(tips)}" if tips else ""
        out.issues.append(Issue(
            code="catalogue-unit-unknown", **loc,
            message=f"无法识别目录所属单位（“{guess}”{tip}）。请在文件名或标题行写明单位全称，"
                    "如“灵宝市城乡规划领域标准目录.xlsx”"))
    for unit in sorted(not_base):
        out.issues.append(Issue(
            code="catalogue-unit-not-base", unit_id=unit, **loc,
            message=f"{reference.unit_name(unit)}不是基层政府，标准目录由各县（市、区）政府和示范区、"
                    "开发区编制，本文件未审核"))
    if not any_catalogue:
        out.state, out.reason = "未审核", "文件中没有找到标准目录表头"
        out.issues.append(Issue(
            code="catalogue-header-missing", **loc,
            message=f"文件中没有找到标准目录表头，请使用“{HEADER_HINT}”的表头"))
    return out


def _read_sheet(sheet: Sheet, reference: Reference, rules: Rules | None = None) -> dict:
    """Layout, items, and the unit/domain a sheet names (sheet name → title rows or a Word
    table's caption; label cell → title rows for the unit)."""
    rules = rules or load_rules(reference.folder)
    layout = find_layout(sheet)
    items, notes = read_items(sheet, layout, rules) if layout else ([], [])
    above = list(range(layout.header_row)) if layout else list(range(min(len(sheet.rows), 5)))
    title = " ".join(t for t in (getattr(sheet, "caption", ""), _text_of_rows(sheet, above)) if t)
    domain, domains = domain_in_text(sheet.name, reference)
    if domain is None and not domains and layout is not None:
        domain, domains = domain_in_text(title, reference)
    question = None if domains else domain_question(f"{sheet.name} {title}", rules)
    unit, written = _label_unit(sheet, above + notes, reference)
    if unit is None:
        unit = unit_in_text(title, reference) if title else None
    blank = all(is_blank(v) for row in sheet.rows for v in row)
    anchor = a1(max(layout.header_row - 1, 0), 0) if layout else "A1"
    return {"sheet": sheet.name, "layout": layout, "items": items, "domain_id": domain,
            "domains": domains, "question": question, "unit_id": unit, "unit_text": written,
            "blank": blank, "anchor": anchor}


def domain_question(text: str, rules: Rules) -> tuple[str, tuple[str, ...]] | None:
    """(the ambiguous name, its candidate domains) when `text` uses a name such as 自然资源 that
    could mean several domains (catalogue_rules.toml [domain_questions])."""
    t = norm(text)
    return next(((k, v) for k, v in rules.domain_questions.items() if k in t), None)


def list_catalogues(folder: str | Path) -> list[Path]:
    """Every file under the catalogue folder (sub-folders included), sorted; only Office lock
    files (~$…) and hidden files (.…) are left out. What cannot be audited is listed by the
    reader with a reason, never skipped here."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.rglob("*") if p.is_file() and not p.name.startswith((".", "~$"))),
                  key=lambda p: p.relative_to(folder).as_posix())
