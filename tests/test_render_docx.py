"""The 通报 .docx: GB/T 9704 page setup and fonts, page numbers, content, safety, determinism."""

from __future__ import annotations

import dataclasses
import zipfile

import docx
import pytest
from docx.oxml.ns import qn
from render_fixture import make_result

from pipeline.render.bulletin_docx import TEMPLATE, render_bulletin_docx
from pipeline.render.charts import render_charts
from pipeline.summary import with_summary


@pytest.fixture(scope="module")
def result(ref):
    return make_result(ref)


@pytest.fixture(scope="module")
def rendered(result, tmp_path_factory):
    out = tmp_path_factory.mktemp("docx")
    charts = render_charts(result, out / "charts")
    return render_bulletin_docx(result, out / "通报_2021Q1.docx", charts), charts


def _text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [c.text for row in table.rows for c in row.cells]
    return "\n".join(parts)


def test_page_setup(rendered):
    d = docx.Document(rendered[0])
    s = d.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]
    grid = s._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"  # 225 mm / 22 lines
    text_height = s.page_height.twips - s.top_margin.twips - s.bottom_margin.twips
    assert text_height // 579 == 22
    # 28 characters a line: a line grid only (LibreOffice lays a w:charSpace character grid out
    # with each 16 pt character in two cells, 14 a line), and 3号 text condensed by 0.25 pt
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:charSpace")) is None
    spacing = int(d.styles["Normal"].element.rPr.find(qn("w:spacing")).get(qn("w:val")))
    text_width = s.page_width.twips - s.left_margin.twips - s.right_margin.twips
    assert text_width // (16 * 20 + spacing) == 28
    assert d.settings.odd_and_even_pages_header_footer


def test_fonts_are_east_asian_and_zh_cn(rendered):
    d = docx.Document(rendered[0])
    want = {"正文": ("仿宋_GB2312", 16), "公文标题": ("方正小标宋简体", 22), "一级标题": ("黑体", 16),
            "二级标题": ("楷体_GB2312", 16), "页码": ("宋体", 14)}
    for name, (font, size) in want.items():
        style = d.styles[name]
        rpr = style.element.rPr
        assert rpr.rFonts.get(qn("w:eastAsia")) == font, name
        assert rpr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN", name
        assert style.font.size.pt == size, name
    defaults = d.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsiaTheme")) is None
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    title = [p for p in d.paragraphs if p.style.name == "公文标题"]
    assert [p.text for p in title] == ["关于2021年第一季度基层政务公开\n标准化规范化工作进展情况的通报"]
    assert d.core_properties.title == "关于2021年第一季度基层政务公开标准化规范化工作进展情况的通报"


def test_page_numbers_outer_side(rendered):
    d = docx.Document(rendered[0])
    s = d.sections[0]
    for footer, jc in ((s.footer, "right"), (s.even_page_footer, "left")):
        p = footer.paragraphs[0]
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert p._p.pPr.find(qn("w:jc")).get(qn("w:val")) == jc
        assert "PAGE" in "".join(t.text for t in p._p.iter(qn("w:instrText")))


def test_sections_and_numbers_in_text(rendered, result):
    text = _text(docx.Document(rendered[0]))
    for heading in ("一、上期问题整改情况", "二、总体情况", "三、排名情况", "四、表扬和通报批评", "五、存在问题",
                    "六、下一步工作要求", "附件1", "附件2", "现将有关情况通报如下："):
        assert heading in text
    assert "按时报送6个，逾期报送2个（灵宝市、市应急管理局），未报送1个（渑池县）" in text
    assert "湖滨区、陕州区（均为100.0分）、灵宝市（88.7分）" in text
    assert "第5项任务（时限2020年11月底）逾期未完成，已逾期110天" in text
    assert result.reference.settings.bulletin.next_steps[0] in text
    assert "{{" not in text and "{%" not in text


def test_charts_embedded(rendered):
    _, charts = rendered
    with zipfile.ZipFile(rendered[0]) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
    assert len(media) == len(charts) == 5


def test_same_inputs_same_bytes(result, tmp_path, rendered):
    a = render_bulletin_docx(result, tmp_path / "a.docx", rendered[1])
    b = render_bulletin_docx(result, tmp_path / "b.docx", rendered[1])
    assert a.read_bytes() == b.read_bytes()
    props = docx.Document(a).core_properties
    assert props.created.date() == result.as_of and props.modified.date() == result.as_of


def test_hostile_text_stays_text(result, tmp_path):
    evil = '<w:fldSimple w:instr="PAGE"/> & {{ 7*7 }} {% if 1 %}=SUM(A1)'
    sc = result.scores.copy()
    sc.loc[sc["unit_id"] == "yima", "reasons"] = evil
    path = render_bulletin_docx(with_summary(dataclasses.replace(result, scores=sc)), tmp_path / "e.docx")
    d = docx.Document(path)
    assert evil in _text(d)
    body = d.element.body
    assert not list(body.iter(qn("w:fldSimple"))) and not list(body.iter(qn("w:instrText")))


def test_minimal_result_renders(ref, tmp_path):
    bare = make_result(ref, with_extra=False)
    path = render_bulletin_docx(bare, tmp_path / "bare.docx")
    text = _text(docx.Document(path))
    assert "上期问题整改情况" not in text  # first quarter: the section is left out, the rest renumbered
    assert "一、总体情况" in text and "五、下一步工作要求" in text and "六、" not in text
    assert "图1" not in text


def test_template_ships():
    assert TEMPLATE.exists()
    d = docx.Document(TEMPLATE)
    assert round(d.sections[0].left_margin.mm) == 28


# ---- 版记, draft mark, 文号 and 成文日期 (GB/T 9704 7.4) ---------------------------------------
def _colophon(d) -> list:
    """The framed paragraphs at the end of the document: the 版记."""
    paras = d.paragraphs
    framed = [p for p in paras if p._p.pPr is not None and p._p.pPr.find(qn("w:framePr")) is not None]
    assert framed and framed == paras[len(paras) - len(framed):]  # the last paragraphs, nothing after
    return framed


def _borders(p) -> dict[str, str]:
    bdr = p._p.pPr.find(qn("w:pBdr"))
    return {el.tag.split("}")[1]: el.get(qn("w:sz")) for el in bdr}


def test_colophon_at_the_foot_of_the_last_page(result, tmp_path):
    d = docx.Document(render_bulletin_docx(result, tmp_path / "a.docx", date="2021-03-25"))
    (printed,) = _colophon(d)  # no 抄送 in the settings: no 抄送 line
    assert printed.text == "三门峡市人民政府办公室\t2021年3月25日印发"
    assert _borders(printed) == {"top": "8", "bottom": "8"}  # thick rules, 0.35 mm
    frame = printed._p.pPr.find(qn("w:framePr"))
    assert (frame.get(qn("w:yAlign")), frame.get(qn("w:vAnchor"))) == ("bottom", "margin")
    s = d.sections[0]
    assert abs(int(frame.get(qn("w:w"))) - (s.page_width.twips - s.left_margin.twips - s.right_margin.twips)) <= 2
    rpr = d.styles["版记"].element.rPr
    assert rpr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312" and d.styles["版记"].font.size.pt == 14


def test_colophon_with_cc(result, tmp_path):
    settings = result.reference.settings.replace("bulletin", **{"cc": "市委办公室，市人大常委会办公室"})
    r = with_summary(dataclasses.replace(result, reference=dataclasses.replace(result.reference, settings=settings)))
    cc, printed = _colophon(docx.Document(render_bulletin_docx(r, tmp_path / "cc.docx", date="2021-03-25")))
    assert cc.text == "抄送：市委办公室，市人大常委会办公室。"
    assert _borders(cc) == {"top": "8", "bottom": "6"} and _borders(printed) == {"bottom": "8"}  # thick, thin, thick


def _headers(d) -> list[str]:
    s = d.sections[0]
    return [s.header.paragraphs[0].text, s.even_page_header.paragraphs[0].text]


def test_draft_marks_every_page(result, tmp_path):
    draft = docx.Document(render_bulletin_docx(result, tmp_path / "d.docx", draft=True, date="2021-03-25"))
    assert _headers(draft) == ["征求意见稿", "征求意见稿"]
    assert not draft.sections[0].different_first_page_header_footer  # page 1 has the same header
    assert len(draft.sections) == 1
    final = docx.Document(render_bulletin_docx(result, tmp_path / "f.docx", date="2021-03-25"))
    assert _headers(final) == ["", ""]


def test_number_and_date_are_parameters(result, tmp_path):
    d = docx.Document(render_bulletin_docx(result, tmp_path / "n.docx", doc_number="三政办〔2021〕12号",
                                           date="2021-03-26"))
    assert [p.text for p in d.paragraphs if p.style.name == "发文字号"] == ["三政办〔2021〕12号", ""]
    assert [p.text for p in d.paragraphs if p.style.name == "成文日期"] == ["2021年3月26日"]
    assert _colophon(d)[-1].text.endswith("2021年3月26日印发")


def test_attachment_columns_fit_their_numbers(rendered):
    """Column widths come from the content: every number column is at least as wide as its
    widest number (at 5号, Times metrics) plus the cell margins."""
    from pipeline.render.bulletin_docx import cell_width_pt

    d = docx.Document(rendered[0])
    ranking = [t for t in d.tables if t.rows[0].cells[0].text == "排名"]
    assert ranking
    for table in ranking:
        widths = [int(g.get(qn("w:w"))) / 20 for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert abs(sum(widths) - 156 / 25.4 * 72) < 2  # the text block
        for j, w in enumerate(widths):
            for row in table.rows[1:]:
                text = row.cells[j].text
                if text and all(c in "0123456789.%↑↓—持平" for c in text):
                    assert cell_width_pt(text)[0] + 2 * 57 / 20 <= w, (text, w)


def test_font_substitutes_for_libreoffice():
    """The docx names the official fonts; fontconfig.conf maps each to an OFL font of the same
    metrics for LibreOffice on machines without them."""
    from pipeline.render.pdf import FONTCONFIG

    conf = FONTCONFIG.read_text(encoding="utf-8")
    for font, substitute in (("仿宋_GB2312", "Noto Serif CJK SC"), ("方正小标宋简体", "Noto Serif CJK SC"),
                             ("黑体", "Noto Sans CJK SC"), ("楷体_GB2312", "Noto Serif CJK SC"),
                             ("Times New Roman", "Liberation Serif")):
        assert f"<family>{font}</family><prefer><family>{substitute}</family>" in conf


def test_a_template_without_the_title_style_has_no_title():
    from pipeline.render.bulletin_docx import document_title

    plain = docx.Document()
    plain.add_paragraph("正文一")  # unstyled paragraphs are not the title
    assert document_title(plain) == ""
    assert document_title(docx.Document(str(TEMPLATE)))  # the shipped template has one


def test_the_templates_compiled_parts_are_kept_and_give_the_same_document(result, rendered, tmp_path,
                                                                          monkeypatch):
    import jinja2

    compiled = []
    compile_ = jinja2.Environment.compile

    def counting(self, source, *args, **kwargs):
        compiled.append(len(source))
        return compile_(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    path, charts = rendered
    cache = tmp_path / "cache"
    first = render_bulletin_docx(result, tmp_path / "a.docx", charts, cache_dir=cache).read_bytes()
    assert first == path.read_bytes() and compiled  # the cache changes no byte
    compiled.clear()
    assert render_bulletin_docx(result, tmp_path / "b.docx", charts, cache_dir=cache).read_bytes() == first
    assert compiled == []  # every part came compiled from the cache
    for kept in (cache / "jinja").iterdir():
        kept.write_bytes(kept.read_bytes()[:40])  # torn: compiled again, never trusted
    older = cache / "jinja" / "0123456789abcdef_0000.cache"  # another jinja2's: never read
    older.write_bytes(b"j2 compiled by another version")
    assert render_bulletin_docx(result, tmp_path / "c.docx", charts, cache_dir=cache).read_bytes() == first
    assert compiled and not older.exists()


def test_a_cache_that_cannot_be_written_only_costs_speed(result, rendered, tmp_path, monkeypatch):
    import jinja2

    path, charts = rendered
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the folder should be")
    assert render_bulletin_docx(result, tmp_path / "a.docx", charts, cache_dir=blocked).read_bytes() \
        == path.read_bytes()

    def disk_full(self, bucket):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jinja2.FileSystemBytecodeCache, "dump_bytecode", disk_full)
    assert render_bulletin_docx(result, tmp_path / "b.docx", charts, cache_dir=tmp_path / "full").read_bytes() \
        == path.read_bytes()


def test_the_compiled_once_environment_escapes_what_it_fills_in(tmp_path):
    from pipeline.render.bulletin_docx import compiled_once

    for env in (compiled_once(), compiled_once(tmp_path / "cache")):
        assert env.from_string("<w:t>{{ x }}</w:t>").render(x="住建局&<规划>") == "<w:t>住建局&amp;&lt;规划&gt;</w:t>"
