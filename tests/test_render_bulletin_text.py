"""The rendered 通报 text, read back from the .docx and checked against the tables.

The expected figures are computed here from the contract tables with plain pandas, not with
bulletin_context, so a wrong count in the context builder or a template that shows the wrong
variable both fail. Also the edge cases an official 通报 must read well in: no previous
quarter, nobody criticised, nothing commended, no issues.
"""

from __future__ import annotations

import dataclasses
import re

import docx
import pandas as pd
import pytest
from render_fixture import make_result

from pipeline.render.bulletin_docx import render_bulletin_docx
from pipeline.render.charts import render_charts

NUMBER = re.compile(r"\d+(?:\.\d+)?")


@pytest.fixture(scope="module")
def result(ref):
    return make_result(ref)


@pytest.fixture(scope="module")
def document(result, tmp_path_factory):
    out = tmp_path_factory.mktemp("text")
    charts = render_charts(result, out / "charts")
    return docx.Document(render_bulletin_docx(result, out / "b.docx", charts))


def _body(document) -> list:
    """The paragraphs of the main text: up to the first attachment page."""
    paras = document.paragraphs
    end = next(i for i, p in enumerate(paras) if p.style.name == "附件标号")
    return paras[:end]


def _flat(paragraphs) -> str:
    return "".join("".join(p.text.split()) for p in paragraphs)


def _pct(part, whole) -> str:
    return f"{100 * part / whole:.1f}"


def _one(pattern: str, text: str) -> tuple[str, ...]:
    found = re.findall(pattern, text)
    assert len(found) == 1, (pattern, found)
    return found[0] if isinstance(found[0], tuple) else (found[0],)


# ---- independent figures from the tables ---------------------------------------------------
def _figures(result) -> dict:
    sc, led, rec, dom, iss = (result.scores, result.ledger, result.reconciliation,
                              result.domain_reconciliation, result.issues)
    ranked = set(sc["unit_id"])
    acc = led[(led["state"] == "accepted") & led["unit_id"].isin(ranked)]
    on_time = acc[acc["on_time"].astype(bool)]
    rec = rec[rec["unit_id"].isin(ranked)]
    dated = rec[rec["due"].astype(bool) & rec["deadline"].notna()]
    v = dated["verdict"]
    ongoing = rec[rec["verdict"] == "ongoing"]
    cat = dom[(dom["kind"] == "catalogue") & dom["unit_id"].isin(ranked)]
    plan = dom[(dom["kind"] == "plan") & dom["unit_id"].isin(ranked)]
    return {
        "returns": (len(sc), len(on_time), len(acc) - len(on_time), len(ranked - set(acc["unit_id"])),
                    _pct(len(on_time), len(sc))),
        "tasks": (len(dated), (v.isin(["on_time", "late"])).sum(), (v == "on_time").sum(), (v == "late").sum(),
                  _pct(v.isin(["on_time", "late"]).sum(), len(dated)), (v == "overdue").sum(),
                  (v == "unreported").sum(), len(ongoing), ongoing["note_filled"].astype(bool).sum()),
        "catalogue": (cat["unit_id"].nunique(), len(cat), (cat["status"] == "published").sum(),
                      _pct((cat["status"] == "published").sum(), len(cat))),
        "plans": (plan["unit_id"].nunique(), len(plan), (plan["status"] == "issued").sum(),
                  _pct((plan["status"] == "issued").sum(), len(plan))),
        "issues": (len(iss), (iss["severity"] == "error").sum(), (iss["severity"] == "warning").sum(),
                   iss["unit_id"].replace("", pd.NA).dropna().nunique()),
    }


def _as_text(values) -> tuple[str, ...]:
    return tuple(str(int(x)) if not isinstance(x, str) else x for x in values)


def test_overview_numbers_match_the_tables(document, result):
    text, f = _flat(_body(document)), _figures(result)
    got = _one(r"本季度应报送工作进展的单位(\d+)个，按时报送(\d+)个，逾期报送(\d+)个（[^）]*），"
               r"未报送(\d+)个（[^）]*），按时报送率([\d.]+)%", text)
    assert got == _as_text(f["returns"]) == ("9", "6", "2", "1", "66.7")
    got = _one(r"已到期的任务共(\d+)项次，已完成(\d+)项次（其中按期完成(\d+)项次、逾期完成(\d+)项次），"
               r"完成率([\d.]+)%；逾期未完成(\d+)项次，未报送或漏报(\d+)项次。持续推进类任务(\d+)项次，"
               r"其中已填报进展(\d+)项次", text)
    assert got == _as_text(f["tasks"])
    got = _one(r"(\d+)个基层政府应编制试点领域标准目录(\d+)个，已编制并公开(\d+)个，公开率([\d.]+)%", text)
    assert got == _as_text(f["catalogue"]) == ("5", "130", "98", "75.4")
    got = _one(r"(\d+)个牵头部门应出台试点领域实施方案(\d+)个，已出台(\d+)个，出台率([\d.]+)%", text)
    assert got == _as_text(f["plans"])
    got = _one(r"共发现问题(\d+)个（错误(\d+)个、警告(\d+)个），涉及(\d+)个单位", text)
    assert got == _as_text(f["issues"])


def _change(now, before) -> tuple[str, str]:
    delta = round(round(now, 1) - round(before, 1), 1)
    return ("提高" if delta > 0 else "下降"), f"{abs(delta):.1f}"


def _averages(result) -> dict:
    """label → (average now, change word, change) from scores and last quarter's history rows."""
    sc, hist = result.scores, result.extra["history"]
    prev = hist[hist["quarter"] == "2020Q4"]
    groups = result.reference.units.set_index("unit_id")["group"]
    out = {"all": (f"{sc['total'].mean():.1f}", *_change(sc["total"].mean(), prev["total"].mean()))}
    for g, label in (("base", "基层政府"), ("dept", "市直部门")):
        now = sc.loc[sc["group"] == g, "total"].mean()
        before = prev.loc[prev["unit_id"].map(groups) == g, "total"].mean()
        out[label] = (f"{now:.1f}", *_change(now, before))
    return out


def test_averages_and_changes_match_the_tables(document, result):
    text, avg = _flat(_body(document)), _averages(result)
    got = _one(r"参与排名的(\d+)个单位平均得分([\d.]+)分，较上季度(提高|下降)([\d.]+)分", text)
    assert got == (str(len(result.scores)), *avg["all"])
    for label in ("基层政府", "市直部门"):
        assert _one(label + r"平均([\d.]+)分（较上季度(提高|下降)([\d.]+)分）", text) == avg[label]


def test_ranking_paragraphs_match_the_tables(document, result):
    text, sc = _flat(_body(document)), result.scores
    names = dict(zip(sc["short_name"], sc["total"], strict=True))
    for g, label in (("base", "基层政府"), ("dept", "市直部门")):
        s = sc[sc["group"] == g]
        n, grades = _one(label + r"(\d+)个单位中，([^。]*)。排名前列", text)
        assert int(n) == len(s)
        counts = s["grade"].value_counts()
        assert grades == "、".join(f"{k}{counts[k]}个" for k in result.reference.settings.grades if k in counts)
        for r in s.itertuples():
            if pd.notna(r.rank_change) and r.rank_change:
                word = "上升" if r.rank_change > 0 else "下降"
                assert f"{r.short_name}（{word}{abs(int(r.rank_change))}位）" in text
    # every 「unit（score分）」 and 「A、B（均为score分）」 names the unit's own total
    pairs = re.findall(r"((?:[^，。；：（）、]+、)*[^，。；：（）、]+)（(?:均为)?([\d.]+)分）", text)
    checked = 0
    for group, total in pairs:
        for name in group.split("、"):
            name = re.sub(r"^.*(排名前列的是|排名靠后的是)", "", name)
            if name in names:
                assert f"{names[name]:.1f}" == total, name
                checked += 1
    assert checked >= len(sc) - 1


def test_criticised_and_problems_match_the_tables(document, result):
    body = _body(document)
    text, sc, rec = _flat(body), result.scores, result.reconciliation
    crit = sc[sc["criticised"].astype(bool)]
    for i, r in enumerate(crit.itertuples(), start=1):
        assert f"{i}．{r.short_name}：{''.join(str(r.reasons).split())}。" in text
    overdue = rec[(rec["verdict"] == "overdue") & rec["unit_id"].isin(sc["unit_id"])]
    for task_id, grp in overdue.groupby("task_id"):
        assert f"第{task_id}项任务（时限{grp['deadline_text'].iloc[0]}）逾期未完成，涉及{len(grp)}个单位" in text
    commended = sc.loc[sc["commended"].astype(bool), "short_name"]
    assert all(name in text for name in commended)


def test_rectification_numbers_match_the_table(document, result):
    text, rect = _flat(_body(document)), result.extra["rectification"]
    got = _one(r"通报批评的(\d+)个单位涉及问题(\d+)项，已整改(\d+)项，尚未整改(\d+)项", text)
    assert got == _as_text((rect["unit_id"].nunique(), len(rect), rect["resolved"].sum(), (~rect["resolved"]).sum()))
    for r in rect[~rect["resolved"]].itertuples():
        assert f"“{r.reason}”尚未整改（{r.status_now}）" in text


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


def test_every_number_in_the_text_comes_from_the_tables(document, result):
    """Each number of the main text is one of the figures above, a total, rank change, task id,
    date or count in the tables, a number in a table's text (reasons, deadlines) or in the
    settings text, or a figure / list / attachment number."""
    sc, rec, dom = result.scores, result.reconciliation, result.domain_reconciliation
    rect = result.extra["rectification"]
    allowed = {x for values in _figures(result).values() for x in _as_text(values)}
    allowed |= {x for values in _averages(result).values() for x in values}
    strings = [*sc["reasons"].astype(str), *rect["reason"], *rect["status_now"],
               *rec["deadline_text"].astype(str), *result.reference.settings.bulletin.next_steps]
    allowed |= {n for s in strings for n in NUMBER.findall(s)}
    allowed |= {f"{t:.1f}" for t in sc["total"]} | {str(int(t)) for t in rec["task_id"]}
    allowed |= {str(abs(int(c))) for c in sc["rank_change"].dropna()}
    allowed |= {str(n) for g in ("base", "dept") for n in sc.loc[sc["group"] == g, "grade"].value_counts()}
    allowed |= {str(n) for n in sc.groupby("group").size()}
    allowed |= {str(n) for n in rec[rec["verdict"].isin(["overdue", "unreported"])].groupby("task_id").size()}
    allowed |= {str(rect["unit_id"].nunique()), str(len(rect)), str(int(rect["resolved"].sum())),
                str(int((~rect["resolved"]).sum()))}
    cat = dom[dom["kind"] == "catalogue"].assign(p=lambda d: d["status"] == "published")
    allowed |= {str(int(n)) for n in cat.groupby("unit_id")["p"].agg(["sum", "size"]).to_numpy().ravel()}
    allowed |= {str(n) for n in result.issues["code"].value_counts()}
    allowed |= {str((result.ledger["state"] == "rejected").sum())}
    allowed |= set(_catalogue_figures(result).values())
    d = result.as_of
    allowed |= {str(d.year), str(d.month), str(d.day), "2020"}  # 2020: 上期 (2020年第四季度)
    allowed |= {str(i) for i in range(1, len(sc) + 1)}  # figure, list and attachment numbers
    text = _flat(p for p in _body(document) if p.style.name != "联系人")  # phone number: settings
    stray = sorted(set(NUMBER.findall(text)) - allowed)
    assert not stray, stray


# ---- edge cases ------------------------------------------------------------------------------
def _render(result, tmp_path, name="e.docx"):
    return docx.Document(render_bulletin_docx(result, tmp_path / name))


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
    settings = result.reference.settings.replace("bulletin", doc_number="三政办〔2021〕5号")
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
