"""The rendered 通报 text, read back from the .docx and checked against the summary table.

Every figure of the text is computed once, by pipeline.summary (its own hand-worked tests are
in test_summary.py); here each figure the .docx prints must be that table's value, formatted,
so a template that shows the wrong variable or a context that recomputes a figure differently
both fail. Also the edge cases an official 通报 must read well in: no previous quarter,
nobody criticised, nothing commended, no issues.
"""

from __future__ import annotations

import dataclasses
import re

import docx
import pytest
from render_fixture import make_result

from pipeline.render.bulletin_docx import render_bulletin_docx
from pipeline.render.charts import render_charts
from pipeline.summary import Figures, split_units, summary, with_summary

NUMBER = re.compile(r"\d+(?:\.\d+)?")
DATE = "2021-03-20"


@pytest.fixture(scope="module")
def result(ref):
    return make_result(ref)


@pytest.fixture(scope="module")
def table(result):
    return summary(result)


@pytest.fixture(scope="module")
def f(table):
    return Figures(table)


@pytest.fixture(scope="module")
def document(result, tmp_path_factory):
    out = tmp_path_factory.mktemp("text")
    charts = render_charts(result, out / "charts")
    return docx.Document(render_bulletin_docx(result, out / "b.docx", charts, date=DATE))


def _body(document) -> list:
    """The paragraphs of the main text: up to the first attachment page."""
    paras = document.paragraphs
    end = next(i for i, p in enumerate(paras) if p.style.name == "附件标号")
    return paras[:end]


def _flat(paragraphs) -> str:
    return "".join("".join(p.text.split()) for p in paragraphs)


def _one(pattern: str, text: str) -> tuple[str, ...]:
    found = re.findall(pattern, text)
    assert len(found) == 1, (pattern, found)
    return found[0] if isinstance(found[0], tuple) else (found[0],)


def _n(f, section, key, group="all") -> str:
    return str(f.count(section, key, group))


def _pct(f, section, key, group="all") -> str:
    return f"{100 * f.value(section, key, group):.1f}"


def _names(result, joined) -> list[str]:
    short = result.reference.units.set_index("unit_id")["short_name"]
    return [short[u] for u in split_units(joined)]


def test_overview_numbers_match_the_summary(document, f, result):
    text = _flat(_body(document))
    got = _one(r"本季度应报送工作进展的单位(\d+)个，按时报送(\d+)个，逾期报送(\d+)个（([^）]*)），"
               r"未报送(\d+)个（([^）]*)），按时报送率([\d.]+)%", text)
    assert got == (_n(f, "returns", "units"), _n(f, "returns", "on_time"), _n(f, "returns", "late"),
                   "、".join(_names(result, "|".join(f.units("returns", "late")))),
                   _n(f, "returns", "missing"), "、".join(_names(result, "|".join(f.units("returns", "missing")))),
                   _pct(f, "returns", "on_time_rate"))
    assert got == ("9", "6", "2", "灵宝市、市应急管理局", "1", "渑池县", "66.7")
    got = _one(r"已到期的任务共(\d+)项次，已完成(\d+)项次（其中按期完成(\d+)项次、逾期完成(\d+)项次），"
               r"完成率([\d.]+)%；逾期未完成(\d+)项次，未报送或漏报(\d+)项次。持续推进类任务(\d+)项次，"
               r"其中已填报进展(\d+)项次", text)
    assert got == (_n(f, "tasks", "due"), _n(f, "tasks", "done"), _n(f, "tasks", "on_time"), _n(f, "tasks", "late"),
                   _pct(f, "tasks", "done_rate"), _n(f, "tasks", "overdue"), _n(f, "tasks", "unreported"),
                   _n(f, "tasks", "ongoing"), _n(f, "tasks", "ongoing_filled"))
    got = _one(r"(\d+)个基层政府应编制试点领域标准目录(\d+)个，已编制并公开(\d+)个，公开率([\d.]+)%", text)
    assert got == (_n(f, "catalogue", "units", "base"), _n(f, "catalogue", "total", "base"),
                   _n(f, "catalogue", "published", "base"), _pct(f, "catalogue", "rate", "base"))
    assert got == ("5", "130", "98", "75.4")
    got = _one(r"(\d+)个牵头部门应出台试点领域实施方案(\d+)个，已出台(\d+)个，出台率([\d.]+)%", text)
    assert got == (_n(f, "plans", "units", "dept"), _n(f, "plans", "total", "dept"),
                   _n(f, "plans", "issued", "dept"), _pct(f, "plans", "rate", "dept"))
    got = _one(r"共发现问题(\d+)个（错误(\d+)个、警告(\d+)个），涉及(\d+)个单位", text)
    assert got == (_n(f, "problems", "issues"), _n(f, "problems", "errors"), _n(f, "problems", "warnings"),
                   _n(f, "problems", "issue_units"))


def _change(f, group) -> tuple[str, str]:
    delta = f.value("averages", "change", group)
    return ("提高" if delta > 0 else "下降"), f"{abs(delta):.1f}"


def test_averages_and_changes_match_the_summary(document, f):
    text = _flat(_body(document))
    got = _one(r"参与排名的(\d+)个单位平均得分([\d.]+)分，较上季度(提高|下降)([\d.]+)分", text)
    assert got == (_n(f, "averages", "n"), f"{f.value('averages', 'mean'):.1f}", *_change(f, "all"))
    for g, label in (("base", "基层政府"), ("dept", "市直部门")):
        got = _one(label + r"平均([\d.]+)分（较上季度(提高|下降)([\d.]+)分）", text)
        assert got == (f"{f.value('averages', 'mean', g):.1f}", *_change(f, g))


def _tie_text(result, row) -> str:
    who = _names(result, row.unit_ids)
    return f"{'、'.join(who)}（{'均为' if len(who) > 1 else ''}{row.value:.1f}分）"


def test_ranking_paragraphs_match_the_summary(document, f, result):
    text = _flat(_body(document))
    for g, label in (("base", "基层政府"), ("dept", "市直部门")):
        n, grades, top, bottom = _one(label + r"(\d+)个单位中，([^。]*)。排名前列的是([^；]*)；排名靠后的是([^。]*)。",
                                      text)
        assert n == _n(f, "ranking", "n", g)
        assert grades == "、".join(f"{r.text}{int(r.value)}个" for r in f.rows("ranking", "grade", g).itertuples())
        assert top == "、".join(_tie_text(result, r) for r in f.rows("ranking", "top", g).itertuples())
        assert bottom == "、".join(_tie_text(result, r) for r in f.rows("ranking", "bottom", g).itertuples())
        for key, word in (("up", "上升"), ("down", "下降")):
            for r in f.rows("ranking", key, g).itertuples():
                assert f"{_names(result, r.unit_ids)[0]}（{word}{int(r.value)}位）" in text
    assert "排名前列的是湖滨区、陕州区（均为100.0分）、灵宝市（88.7分）；排名靠后的是义马市（86.8分）" in text
    assert "渑池县尚未报送本季度工作进展。" in text  # not 「排名靠后」, not 「上升」


def test_criticised_and_problems_match_the_summary(document, f, result):
    text = _flat(_body(document))
    i = 0
    for g in ("base", "dept"):
        for r in f.rows("criticism", "criticised", g).itertuples():
            i += 1
            assert f"{i}．{_names(result, r.unit_ids)[0]}：{''.join(r.text.split())}。" in text
    for r in f.rows("problems", "overdue_task").itertuples():
        n = len(split_units(r.unit_ids))
        assert f"第{int(r.value)}项任务（时限{r.text}）逾期未完成，涉及{n}个单位：{'、'.join(_names(result, r.unit_ids))}" in text
    for r in f.rows("praise", "commended", "base").itertuples():
        assert "、".join(_names(result, r.unit_ids)) in text
    assert "基层政府（2个）：湖滨区、陕州区。" in text
    assert "义马市（已公开20个，共26个）；渑池县尚未报送。" in text  # never 「已公开0个」


def test_rectification_is_short_and_its_list_an_attachment(document, f, result):
    paras = _body(document)
    heading = next(i for i, p in enumerate(paras) if p.text.endswith("上期问题整改情况"))
    section = [p for p in paras[heading + 1:] if p.text.strip()]
    section = section[:next(i for i, p in enumerate(section) if p.style.name == "一级标题")]
    assert len(section) == 1  # one paragraph of two or three sentences
    got = _one(r"通报批评的(\d+)个单位涉及问题(\d+)项，已整改(\d+)项，尚未整改(\d+)项",
               _flat(section))
    assert got == tuple(_n(f, "rectification", k) for k in ("units", "items", "resolved", "open"))
    assert _flat(section).endswith("各单位逐项整改情况见附件2。")
    rect = result.extra["rectification"]
    table = next(t for t in document.tables if t.rows[0].cells[2].text == "上期通报的问题")
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert sorted(r[2] for r in rows) == sorted(rect["reason"])
    assert sorted(r[3] for r in rows) == sorted(rect["status_now"])


def _catalogue_figures(result) -> dict[str, str]:
    """The figures of the catalogue-quality paragraph, recomputed from catalogue_audit."""
    audit = result.extra["catalogue_audit"]
    sent = audit[audit["sent"]]
    total, complete = int(sent["items"].sum()), int(sent["complete_items"].sum())
    by_unit = sent.groupby("unit_id")[["items", "complete_items"]].sum()
    out = {"units": str(sent["unit_id"].nunique()), "domains": str(len(sent)), "items": str(total),
           "complete": str(complete), "share": f"{100 * complete / total:.1f}",
           "base": str((result.reference.units["group"] == "base").sum()),
           "mismatches": str(int(sent["count_matches"].eq(False).sum()))}
    out |= {f"unit_{u}": f"{100 * r['complete_items'] / r['items']:.1f}" for u, r in by_unit.iterrows()}
    return out


def test_catalogue_paragraph_matches_the_audit(document, result):
    text = _flat(_body(document))
    f = _catalogue_figures(result)
    assert (f"本季度共有{f['units']}个基层政府（共{f['base']}个）报送了标准目录，涉及试点领域目录"
            f"{f['domains']}个、公开事项{f['items']}条") in text
    assert f"要素齐全的{f['complete']}条，占{f['share']}%" in text
    assert f"要素齐全率较低的单位是义马市（{f['unit_yima']}%）" in text
    assert f"义马市有{f['mismatches']}个领域目录的事项数与季度报表填报的事项数量不一致" in text


def test_every_number_in_the_text_comes_from_the_summary(document, result, table):
    """Each number of the main text is a value of the summary table (as a count, a share in
    per cent or a score to one decimal), a number inside its texts (reasons, deadlines), in the
    catalogue audit's paragraph or the settings' text, or a date, list or attachment number."""
    values = table["value"].dropna()
    allowed = {str(int(v)) for v in values if float(v).is_integer()}
    allowed |= {f"{v:.1f}" for v in values} | {f"{abs(v):.1f}" for v in values}
    allowed |= {f"{100 * v:.1f}" for v in values}
    allowed |= {n for t in table["text"] for n in NUMBER.findall(t)}
    allowed |= {str(len(split_units(u))) for u in table["unit_ids"]}  # 「涉及N个单位」
    allowed |= {n for t in result.reference.settings.bulletin.next_steps for n in NUMBER.findall(t)}
    allowed |= set(_catalogue_figures(result).values())
    d = result.as_of
    allowed |= {str(d.year), str(d.month), str(d.day), "2020"}  # 2020: 上期 (2020年第四季度)
    allowed |= {str(i) for i in range(1, 10)}  # figure, list and attachment numbers
    text = _flat(p for p in _body(document) if p.style.name != "联系人")  # phone number: settings
    stray = sorted(set(NUMBER.findall(text)) - allowed)
    assert not stray, stray


# ---- edge cases ------------------------------------------------------------------------------
def _render(result, tmp_path, name="e.docx"):
    """The docx of a result changed by hand (its summary computed again)."""
    return docx.Document(render_bulletin_docx(with_summary(result), tmp_path / name))


def _headings(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name in ("一级标题", "二级标题")]


def _no_empty_sections(document) -> None:
    """Every heading is followed by text or a sub-heading, never by another first-level heading."""
    paras = [p for p in _body(document) if p.text.strip()]
    for a, b in zip(paras, paras[1:], strict=False):
        if a.style.name == "一级标题":
            assert b.style.name != "一级标题", a.text
        if a.style.name == "二级标题":
            assert b.style.name not in ("一级标题", "二级标题"), a.text


def test_first_quarter_nobody_criticised(ref, tmp_path):
    bare = make_result(ref, with_extra=False)
    sc = bare.scores.assign(criticised=False, reasons="")
    d = _render(dataclasses.replace(bare, scores=sc), tmp_path)
    text = "\n".join(p.text for p in d.paragraphs)
    heads = [h for h in _headings(d) if h.startswith(tuple("一二三四五六"))]
    assert heads == ["一、总体情况", "二、排名情况", "三、表扬和通报批评", "四、存在问题", "五、下一步工作要求"]
    assert "整改" not in "".join(heads)
    assert "（二）予以通报批评的单位" not in text and "（一）予以表扬的单位" not in text
    assert "予以通报表扬：" in text and "本季度无通报批评单位。" in text
    assert "予以通报批评：" not in text and "与上季度相比" not in text and "较上季度" not in text
    _no_empty_sections(d)


def test_nothing_commended_nothing_wrong(ref, tmp_path, result):
    sc = result.scores.assign(criticised=False, commended=False, reasons="")
    clean = dataclasses.replace(result, scores=sc, issues=result.issues.iloc[0:0],
                                extra=result.extra | {"rectification": result.extra["rectification"].iloc[0:0]})
    d = _render(clean, tmp_path)
    text = "\n".join(p.text for p in d.paragraphs)
    assert "本季度无符合表扬条件的单位。" in text and "本季度无通报批评单位。" in text
    assert "本季度报表审核未发现问题。" in text
    # one attachment: no number (GB/T 9704 7.3.4), no empty problem list
    assert "附件：2021年第一季度各单位综合评分排名" in text and "附件2" not in text and "附件1" not in text
    assert [p.text for p in d.paragraphs if p.style.name == "附件标号"] == ["附件"]
    assert not d.tables[-1].rows[0].cells[0].text == "序号"
    assert "上期问题整改情况" not in text
    _no_empty_sections(d)


def test_full_fixture_has_both_subsections(document):
    heads = _headings(document)
    assert "（一）予以表扬的单位" in heads and "（二）予以通报批评的单位" in heads
    assert heads[0] == "一、上期问题整改情况" and "六、下一步工作要求" in heads
    _no_empty_sections(document)


def test_document_number_optional(result, tmp_path):
    without = _render(result, tmp_path, "a.docx")
    assert [p.text for p in without.paragraphs if p.style.name == "发文字号"] == [""]  # the red rule only
    settings = result.reference.settings.replace("bulletin", **{"doc_number": "三政办〔2021〕5号"})
    ref = dataclasses.replace(result.reference, settings=settings)
    with_number = _render(dataclasses.replace(result, reference=ref), tmp_path, "b.docx")
    assert [p.text for p in with_number.paragraphs if p.style.name == "发文字号"] == ["三政办〔2021〕5号", ""]


def test_signature_keeps_with_text_and_centres_over_date(document):
    from docx.oxml.ns import qn

    paras = document.paragraphs
    i = next(i for i, p in enumerate(paras) if p.style.name == "落款")
    issuer, date = paras[i], paras[i + 1]
    assert date.style.name == "成文日期" and date.text == "2021年3月20日"
    # 署名 centred over the date: right indent 4 + (6.5 − 11) / 2 = 1.75 characters
    assert issuer.paragraph_format.right_indent is not None
    assert issuer._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")) == "175"
    # contact line, attachment note, spacer lines and 署名 all keep with the next paragraph
    j = next(j for j, p in enumerate(paras) if p.style.name == "联系人")
    assert all(p.style.paragraph_format.keep_with_next for p in paras[j:i + 1])
    assert not date.style.paragraph_format.keep_with_next


def test_wording_is_edited_in_the_template_not_in_python(result, tmp_path):
    """The office rewords the 通报 in Word: the renderer uses whatever the template says."""
    from pipeline.render.bulletin_docx import TEMPLATE

    tpl = docx.Document(TEMPLATE)
    opening = next(p for p in tpl.paragraphs if "现将有关情况通报如下" in p.text)
    for run in opening.runs:
        run.text = run.text.replace("现将有关情况通报如下：", "特通报如下：")
    title = next(p for p in tpl.paragraphs if p.style.name == "公文标题")
    title.runs[0].text = "关于{{ quarter_label }}政务公开工作的通报"
    edited = tmp_path / "edited.docx"
    tpl.save(edited)
    d = docx.Document(render_bulletin_docx(result, tmp_path / "x.docx", template=edited))
    text = "\n".join(p.text for p in d.paragraphs)
    assert "特通报如下：" in text and "现将有关情况通报如下" not in text
    assert d.core_properties.title == "关于2021年第一季度政务公开工作的通报"
