"""Checks on catalogue items: the 8 elements present and plausible, no duplicates in a domain.

Pure: raw item rows (from `reader.py`, with the A1 cell of every element) in, the
`catalogue_items` table and `Issue` records out. The plausibility rules are heuristics, so
an implausible element is a warning while a missing one is an error; both make the item
incomplete.
"""

from __future__ import annotations

import re

import pandas as pd

from .. import names as N
from ..issues import Issue
from ..textnorm import norm

ITEM_COLUMNS = ["quarter", "unit_id", "domain_id", "file", "sheet", "row", "item_l1", "item_l2",
                "content", "basis", "time_limit", "subject", "channel", "audience", "method", "level",
                "complete", "missing", "duplicate"]

# 依据 names a law or document: 《…》, 法, 条例, 规定 …, or a document number 〔2019〕12号.
BASIS_PATTERN = re.compile(
    r"《[^》]+》|法[律规第（(]|[^方做依]法|条例|规定|办法|意见|通知|决定|细则|规则|规范|规程|标准|"
    r"指引|指南|纲要|方案|制度|解释|公告|〔\d{4}〕|\[\d{4}\]|\(\d{4}\)|\d+号|第[一二三四五六七八九十百\d]+条")
# 时限 reads as a time limit: N个工作日内, 实时, 及时, 长期, 自…之日起, 每年3月底前 …
TIME_PATTERN = re.compile(
    r"[\d一二三四五六七八九十百两]+个?(?:工作日|自然日|日|天|小时|周|个月|月|年)|实时|即时|及时|长期|常年|常态|"
    r"定期|动态|随时|每(?:年|半年|季度?|月|周|日|天)|年度|季度|月度|之日起|之日|以内|[日天月年]内|"
    r"\d+月(?:底|末|\d+日)?前|前完成|之前|同步|当日|当天|期间|结束后|完成后")
VAGUE_TIME = re.compile(r"^(尽快|尽早|抓紧|适时|按时|按要求|按规定|视情况|根据需要|不定期|待定|另行通知)$")
CHANNELS = (
    "政府网站", "门户网站", "网站", "网上", "政务新媒体", "新媒体", "微信", "公众号", "微博", "客户端", "APP",
    "公开栏", "公示栏", "宣传栏", "公告栏", "信息栏", "公示牌", "展板", "便民服务站", "便民服务中心",
    "服务站", "服务中心", "广播", "电视", "报刊", "报纸", "杂志", "政务服务中心", "政务服务大厅", "服务大厅",
    "大厅", "窗口", "入户", "精准推送", "短信", "电话", "热线", "会议", "发放", "宣传册", "宣传单", "明白纸",
    "资料", "查阅", "档案馆", "图书馆", "村务", "居务", "社区", "村(居)", "电子屏", "显示屏", "LED",
    "政务公开专区", "专区", "新闻发布", "发布会", "其他",
)
_CHANNEL_KEYS = tuple(norm(c).upper() for c in CHANNELS)


def basis_plausible(text: str) -> bool:
    return bool(BASIS_PATTERN.search(norm(text)))


def time_limit_plausible(text: str) -> bool:
    t = norm(text)
    return not VAGUE_TIME.match(t) and bool(TIME_PATTERN.search(t))


def channel_known(text: str) -> bool:
    t = norm(text).upper()
    return any(k in t for k in _CHANNEL_KEYS)


def method_valid(text: str) -> bool:
    t = norm(text)
    return "主动" in t or "依申请" in t


def _label(item) -> str:
    name = item.item_l2 or item.item_l1
    return f"事项“{name}”" if name else f"第{item.row}行事项"


def _element_problems(item) -> list[tuple[str, str, str, str]]:
    """(element, state 'missing'/'implausible', issue code, message) for one item."""
    who = _label(item)
    out = []

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
    elif not basis_plausible(item.basis):
        add("basis", "implausible", "catalogue-basis-implausible",
            f"{who}的公开依据“{item.basis}”未写明法律法规或文件名称，请写明具体依据（书名号内的名称或文号）")
    if not item.time_limit:
        add("time_limit", "missing", "catalogue-time-limit-missing",
            f"{who}未填写公开时限，请写明如“信息形成或变更之日起20个工作日内”")
    elif not time_limit_plausible(item.time_limit):
        add("time_limit", "implausible", "catalogue-time-limit-implausible",
            f"{who}的公开时限“{item.time_limit}”不是明确的时限，请改为具体时限"
            "（如“20个工作日内”“实时”“长期公开”）")
    if not item.subject:
        add("subject", "missing", "catalogue-subject-missing", f"{who}未填写公开主体，请写明负责公开的单位")
    if not item.method or not method_valid(item.method):
        extra = f"（现为“{item.method}”）" if item.method else ""
        add("method", "missing", "catalogue-method-missing",
            f"{who}的公开方式未勾选{extra}，请在“主动”或“依申请”下打“√”")
    if not item.channel:
        add("channel", "missing", "catalogue-channel-missing",
            f"{who}未填写公开渠道和载体，请写明如政府网站、政务新媒体、公开栏等")
    elif not channel_known(item.channel):
        add("channel", "implausible", "catalogue-channel-unknown",
            f"{who}的公开渠道“{item.channel}”不是常见的公开渠道和载体，请写明政府网站、政务新媒体、"
            "公开栏（公示栏）、便民服务站等")
    if not item.audience:
        add("audience", "missing", "catalogue-audience-missing",
            f"{who}的公开对象未勾选，请在“全社会”或“特定群众”下打“√”")
    return out


def _missing_text(problems) -> str:
    order = list(N.CATALOGUE_ELEMENTS)
    parts = [N.CATALOGUE_ELEMENTS[e] + ("不规范" if state == "implausible" else "")
             for e, state, _, _ in sorted(problems, key=lambda p: order.index(p[0]))]
    return "、".join(parts)


def check_items(raw: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """The `catalogue_items` table and the item-level issues (elements, duplicates).

    An element whose column is absent from the sheet (empty cell reference) counts as missing
    without a per-item issue: the sheet already has one `catalogue-column-missing`.
    """
    if raw.empty:
        return empty_items(), []
    issues: list[Issue] = []
    complete, missing = [], []
    for item in raw.itertuples(index=False):
        problems = _element_problems(item)
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
    """Items named like an earlier item of the same unit and domain (一级 + 二级事项)."""
    key = frame["item_l1"].map(norm) + "|" + frame["item_l2"].map(norm)
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
    text = [c for c in ITEM_COLUMNS if c not in ("domain_id", "row", "complete", "duplicate")]
    return out.astype({**dict.fromkeys(text, "string"), "domain_id": "int64", "row": "int64",
                       "complete": "bool", "duplicate": "bool"}).reset_index(drop=True)


def empty_items() -> pd.DataFrame:
    return _items_frame(pd.DataFrame(columns=ITEM_COLUMNS))
