"""Checks on catalogue items: the 8 elements present and plausible, no duplicates in a domain.

Pure: raw item rows (from `reader.py`, with the A1 cell of every element) in, the
`catalogue_items` table and `Issue` records out. The plausibility rules are heuristics, so
an implausible element is a warning while a missing one is an error; both make the item
incomplete.
"""

from __future__ import annotations

import pandas as pd

from .. import names as N
from ..issues import Issue
from ..textnorm import norm
from .rules import Rules, load_rules

ITEM_COLUMNS = ["quarter", "unit_id", "domain_id", "file", "sheet", "row", "last_row", "item_l1", "item_l2",
                "item_l3", "content", "basis", "time_limit", "subject", "channel", "audience", "method",
                "level", "complete", "missing", "duplicate"]


# The rules themselves are data (catalogue_rules.toml, explained in docs/目录审核规则.md).
def basis_plausible(text: str, rules: Rules | None = None) -> bool:
    """依据 names a document: a title in 《》, a 文号, a known law, or a named 法/条例/办法…"""
    return (rules or load_rules()).basis_verdict(text) == "specific"


def time_limit_plausible(text: str, rules: Rules | None = None) -> bool:
    return (rules or load_rules()).time_clear_enough(text)


def channel_known(text: str, rules: Rules | None = None) -> bool:
    return (rules or load_rules()).channel_known(text)


def method_valid(text: str) -> bool:
    t = norm(text)
    return "主动" in t or "依申请" in t


def audience_valid(text: str) -> bool:
    """Anything but an unticked box list reads as an audience (全社会, 特定群众, 申请人 …)."""
    return bool(norm(text))


def _label(item) -> str:
    name = "／".join(n for n in (item.item_l1, item.item_l2, item.item_l3) if n)
    return f"事项“{name}”" if name else f"第{item.row}行事项"


def _boxes(item, rules: Rules) -> dict[str, list[str] | None]:
    """For channel, method and audience written as a box list (「■政府网站 □政务新媒体」): the
    options ticked; None where the cell is plain text."""
    return {k: rules.ticked_options(getattr(item, k)) for k in ("channel", "method", "audience")}


def _element_problems(item, rules: Rules) -> list[tuple[str, str, str, str]]:
    """(element, state 'missing'/'implausible', issue code, message) for one item."""
    who = _label(item)
    out = []
    boxes = _boxes(item, rules)
    values = {k: ("、".join(v) if v is not None else getattr(item, k)) for k, v in boxes.items()}
    unticked = {k for k, v in boxes.items() if v == []}

    def add(element, state, code, message):
        out.append((element, state, code, message))

    if not item.name_given:
        add("name", "missing", "catalogue-name-missing",
            f"第{item.row}行公开事项没有名称，请填写一级事项或二级事项名称")
    if not item.content:
        add("content", "missing", "catalogue-content-missing",
            f"{who}未填写公开内容（要素），请列明需要公开的具体信息")
    if not item.basis:
        add("basis", "missing", "catalogue-basis-missing",
            f"{who}未填写公开依据，请写明法律法规或政策文件名称（如《中华人民共和国政府信息公开条例》）")
    elif (verdict := rules.basis_verdict(item.basis)) != "specific":
        why = "是泛称，没有写明是哪一部法律法规或哪一份文件" if verdict == "generic" else "未写明法律法规或文件名称"
        add("basis", "implausible", "catalogue-basis-implausible",
            f"{who}的公开依据“{item.basis}”{why}，请写明具体依据（书名号内的名称或文号，"
            "如《中华人民共和国政府信息公开条例》）")
    if not item.time_limit:
        add("time_limit", "missing", "catalogue-time-limit-missing",
            f"{who}未填写公开时限，请写明如“信息形成或变更之日起20个工作日内”")
    elif not rules.time_clear_enough(item.time_limit):
        add("time_limit", "implausible", "catalogue-time-limit-implausible",
            f"{who}的公开时限“{item.time_limit}”不是明确的时限，请改为具体时限"
            "（如“信息形成或变更之日起20个工作日内”“实时”“每季度更新”“长期公开”）")
    if not item.subject:
        add("subject", "missing", "catalogue-subject-missing", f"{who}未填写公开主体，请写明负责公开的单位")
    if not values["method"] or not method_valid(values["method"]):
        extra = f"（现为“{item.method}”）" if item.method else ""
        add("method", "missing", "catalogue-method-missing",
            f"{who}的公开方式未勾选{extra}，请在“主动”或“依申请”下打“√”")
    if "channel" in unticked:
        add("channel", "missing", "catalogue-channel-missing",
            f"{who}的公开渠道“{item.channel}”一项也未勾选，请将所用渠道前的“□”改为“■”或“√”")
    elif not item.channel:
        add("channel", "missing", "catalogue-channel-missing",
            f"{who}未填写公开渠道和载体，请写明如政府网站、政务新媒体、公开栏等")
    elif not rules.channel_known(values["channel"]):
        add("channel", "implausible", "catalogue-channel-unknown",
            f"{who}的公开渠道“{item.channel}”不是常见的公开渠道和载体，请写明政府网站、政务新媒体、"
            "公开栏（公示栏）、便民服务站或具体平台、系统的名称")
    if not values["audience"] or not audience_valid(values["audience"]):
        extra = f"（现为“{item.audience}”）" if item.audience else ""
        add("audience", "missing", "catalogue-audience-missing",
            f"{who}的公开对象未勾选{extra}，请在“全社会”或“特定群众”下打“√”")
    return out


def _missing_text(problems) -> str:
    order = list(N.CATALOGUE_ELEMENTS)
    parts = [N.CATALOGUE_ELEMENTS[e] + ("不规范" if state == "implausible" else "")
             for e, state, _, _ in sorted(problems, key=lambda p: order.index(p[0]))]
    return "、".join(parts)


def check_items(raw: pd.DataFrame, rules: Rules | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """The `catalogue_items` table and the item-level issues (elements, duplicates).

    An element whose column is absent from the sheet (empty cell reference) counts as missing
    without a per-item issue: the sheet already has one `catalogue-column-missing`.
    """
    if raw.empty:
        return empty_items(), []
    rules = rules or load_rules()
    raw = raw.assign(**{c: raw[c] if c in raw else "" for c in ("item_l3",)},
                     **{c: raw[c] if c in raw else raw["row"] for c in ("last_row",)})
    issues: list[Issue] = []
    complete, missing = [], []
    for item in raw.itertuples(index=False):
        problems = _element_problems(item, rules)
        complete.append(not problems)
        missing.append(_missing_text(problems))
        for element, _, code, message in problems:
            cell = getattr(item, f"cell_{element}")
            if cell:
                issues.append(Issue(code=code, message=message, file=item.file, sheet=item.sheet,
                                    cell=cell, unit_id=item.unit_id, quarter=item.quarter))
    frame = raw.assign(complete=complete, missing=missing)
    dup, dup_issues = _duplicates(frame)
    frame = frame.assign(duplicate=dup)
    return _items_frame(frame), issues + dup_issues


def _duplicates(frame: pd.DataFrame) -> tuple[list[bool], list[Issue]]:
    """Items named like an earlier item of the same unit and domain (一级 + 二级 + 三级事项)."""
    key = frame["item_l1"].map(norm) + "|" + frame["item_l2"].map(norm) + "|" + frame["item_l3"].map(norm)
    named = frame["name_given"].astype(bool)
    groups = [frame["unit_id"], frame["domain_id"], key]
    first_row = frame.groupby(groups, sort=False)["row"].transform("first")
    first_sheet = frame.groupby(groups, sort=False)["sheet"].transform("first")
    dup = (frame.assign(_k=key).duplicated(["unit_id", "domain_id", "_k"]) & named).tolist()
    issues = []
    for is_dup, item, row, sheet in zip(dup, frame.itertuples(index=False), first_row, first_sheet, strict=True):
        if is_dup:
            where = f"第{row}行" if sheet == item.sheet else f"工作表“{sheet}”第{row}行"
            issues.append(Issue(
                code="catalogue-item-duplicate", file=item.file, sheet=item.sheet, cell=item.cell_name,
                unit_id=item.unit_id, quarter=item.quarter,
                message=f"{_label(item)}与{where}重复，请删除重复行或区分事项名称"))
    return dup, issues


def _items_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reindex(columns=ITEM_COLUMNS)
    text = [c for c in ITEM_COLUMNS if c not in ("domain_id", "row", "last_row", "complete", "duplicate")]
    return out.astype({**dict.fromkeys(text, "string"), "domain_id": "int64", "row": "int64", "last_row": "int64",
                       "complete": "bool", "duplicate": "bool"}).reset_index(drop=True)


def empty_items() -> pd.DataFrame:
    return _items_frame(pd.DataFrame(columns=ITEM_COLUMNS))
