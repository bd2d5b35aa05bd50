"""Build `bulletin_template.docx`: the 通报 wording and the GB/T 9704-2012 layout.

Run once after changing the wording here (or edit the .docx in Word/WPS directly):

    python -m tools.assets.build_bulletin_template      (make template)

The template is rendered by docxtpl (Jinja2 tags; `{%p …%}` paragraph and `{%tr …%}` table-row
tags) with the context of `pipeline.render.bulletin_docx.bulletin_context`. Layout: A4,
margins 37/35/28/26 mm, 22 lines × 28 characters, 3号仿宋 body, 2号小标宋 title, 黑体 and 楷体
headings, page numbers 「— 1 —」 in 4号宋体 on the outer side (odd right, even left).
First-level headings take their numbers from `sec` (一、… ), so that 上期问题整改情况 can be left
out in a first quarter, or when last quarter criticised nobody, without a gap in the numbering.
The 附件 are numbered from `attachments` (no number when there is only one). The 版记 (抄送,
印发机关 and 印发日期 between thick, thin and thick rules, 4号仿宋) is framed at the foot of the
last page; a draft's header says 征求意见稿 on every page (`draft_mark`). Attachment column
widths are only a start: the renderer sets them from the content (bulletin_docx.fit_tables).
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

OUT = Path(__file__).resolve().parents[2] / "pipeline" / "assets" / "bulletin_template.docx"

# GB/T 9704-2012 7.1/7.2: A4, 版心 156 × 225 mm, 22 lines of 28 characters.
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
LINES, CHARS = 22, 28
BODY_PT = 16  # 3号
LINE_PITCH = 579  # twips: 225 mm / 22 lines (the value Word's 公文 templates use)

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
# fontTable fallbacks for machines without the GB2312-era fonts (w:altName).
ALT_NAMES = {FANGSONG: "仿宋", XIAOBIAOSONG: "宋体", KAITI: "楷体", HEITI: "SimHei", SONGTI: "SimSun"}
LATIN = "Times New Roman"


# 28 characters per line: 16 pt characters do not fit 28 times into 156 mm (442 pt), so Word
# templates compress them with a character grid (w:charSpace). LibreOffice lays such a grid out
# with one character per two cells (14 a line), so the grid here snaps lines only and the body
# text is condensed by 0.25 pt instead (442.2 / 15.75 = 28.07): 28 a line in Word, WPS and
# LibreOffice alike.
CONDENSE_TWIPS = -5


# ---- low-level XML helpers ------------------------------------------------------------------
def _rpr_fonts(rpr, east_asia: str, latin: str = LATIN) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")


def _style(doc, name: str, font: str, size: float, *, align=None, indent_chars: float = 0,
           exact: bool = True, color: str | None = None, outline: int | None = None,
           base: str | None = "Normal", page_break: bool = False, grid: bool = True,
           latin: str = LATIN, keep_next: bool = False, condense: int = 0):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(
        name, WD_STYLE_TYPE.PARAGRAPH)
    if base:
        style.base_style = styles[base]
    style.quick_style = True
    f = style.font
    f.name = latin
    f.size = Pt(size)
    f.bold = False
    if color:
        f.color.rgb = docx.shared.RGBColor.from_string(color)
    rpr = style.element.get_or_add_rPr()
    _rpr_fonts(rpr, font, latin)
    _condense(rpr, condense)
    pf = style.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    if exact:
        ppr = style.element.get_or_add_pPr()
        spacing = ppr.find(qn("w:spacing"))
        spacing.set(qn("w:line"), str(LINE_PITCH))
        spacing.set(qn("w:lineRule"), "exact")
    else:
        pf.line_spacing = 1.0
    if align is not None:
        pf.alignment = align
    ppr = style.element.get_or_add_pPr()
    if indent_chars:
        ind = OxmlElement("w:ind")
        ind.set(qn("w:firstLineChars"), str(int(indent_chars * 100)))
        ind.set(qn("w:firstLine"), str(int(indent_chars * size * 20)))
        ppr.append(ind)
    if outline is not None:
        lvl = OxmlElement("w:outlineLvl")
        lvl.set(qn("w:val"), str(outline))
        ppr.append(lvl)
    if not grid:
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        ppr.append(snap)
    pf.page_break_before = page_break
    pf.keep_with_next = keep_next
    pf.widow_control = True
    _sort_ppr(ppr)
    return style


_PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
              "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
              "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN",
              "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing",
              "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
              "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"]


def _sort_ppr(ppr) -> None:
    """Schema order of pPr children (Word rejects files with misordered elements)."""
    rank = {n: i for i, n in enumerate(_PPR_ORDER)}
    children = sorted(ppr, key=lambda e: rank.get(e.tag.split("}")[1], 99))
    for child in children:
        ppr.remove(child)
        ppr.append(child)


_RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
              "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish",
              "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight",
              "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang",
              "eastAsianLayout", "specVanish", "oMath"]


def _condense(rpr, twips: int) -> None:
    """Character spacing (w:spacing in rPr, twips), placed in schema order."""
    for node in rpr.findall(qn("w:spacing")):
        rpr.remove(node)
    el = OxmlElement("w:spacing")
    el.set(qn("w:val"), str(twips))
    rpr.append(el)
    rank = {n: i for i, n in enumerate(_RPR_ORDER)}
    for child in sorted(rpr, key=lambda e: rank.get(e.tag.split("}")[1], 99)):
        rpr.remove(child)
        rpr.append(child)


def _doc_defaults(doc) -> None:
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _rpr_fonts(rpr, FANGSONG)
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), str(BODY_PT * 2))
    ppr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    for attr in list(spacing.attrib):
        del spacing.attrib[attr]
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(LINE_PITCH))
    spacing.set(qn("w:lineRule"), "exact")


def _font_table(doc) -> None:
    """Declare the 公文 fonts (GB2312 charset) with common fallbacks as w:altName."""
    part = next(p for p in doc.part.package.iter_parts() if p.partname.endswith("fontTable.xml"))
    from lxml import etree

    root = etree.fromstring(part.blob)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    for name, alt in ALT_NAMES.items():
        font = etree.SubElement(root, f"{{{w}}}font")
        font.set(f"{{{w}}}name", name)
        etree.SubElement(font, f"{{{w}}}altName").set(f"{{{w}}}val", alt)
        etree.SubElement(font, f"{{{w}}}charset").set(f"{{{w}}}val", "86")
        etree.SubElement(font, f"{{{w}}}family").set(f"{{{w}}}val",
                                                     "modern" if name == HEITI else "roman")
        etree.SubElement(font, f"{{{w}}}pitch").set(f"{{{w}}}val", "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _settings(doc) -> None:
    doc.settings.odd_and_even_pages_header_footer = True
    el = doc.settings.element
    lang = el.find(qn("w:themeFontLang"))
    if lang is None:
        lang = OxmlElement("w:themeFontLang")
        el.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    for tag in ("w:rsids",):  # editing-session ids: not needed, keep the file stable
        for node in el.findall(qn(tag)):
            el.remove(node)


def _drop_thumbnail(doc) -> None:
    pkg = doc.part.package
    for rel_id, rel in list(pkg.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del pkg.rels[rel_id]


def _page_setup(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = Mm(15)
    section.footer_distance = Mm(22)  # page number line ≈ 7 mm below the text block
    grid = section._sectPr.find(qn("w:docGrid"))
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))
    for attr in ("w:rsidR", "w:rsidRPr", "w:rsidSect"):
        section._sectPr.attrib.pop(qn(attr), None)
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    for header in (section.header, section.even_page_header):  # 征求意见稿 on every page of a draft
        header.is_linked_to_previous = False
        p = header.paragraphs[0]
        p.style = "征求意见稿"
        p.add_run("{{ draft_mark }}")


def _page_number(footer, align) -> None:
    """「— 1 —」 in 4号 宋体, one character in from the outer edge."""
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]
    p.style = "页码"
    p.alignment = align
    ind = "right" if align == WD_ALIGN_PARAGRAPH.RIGHT else "left"
    setattr(p.paragraph_format, f"{ind}_indent", Pt(14))

    def run(text=None, fld=None, instr=None):
        r = p.add_run(text)
        if fld:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), fld)
            r._r.append(el)
        if instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            r._r.append(el)
        return r

    run("— ")
    run(fld="begin")
    run(instr=" PAGE ")
    run(fld="separate")
    run("1")
    run(fld="end")
    run(" —")


def _red_rule(paragraph) -> None:
    """The red separator line under the 版头 (a paragraph bottom border)."""
    ppr = paragraph._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in {"val": "single", "sz": "12", "space": "1", "color": "FF0000"}.items():
        bottom.set(qn(f"w:{k}"), v)
    bdr.append(bottom)
    ppr.append(bdr)
    _sort_ppr(ppr)


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _rpr_fonts(normal.element.get_or_add_rPr(), FANGSONG)
    _condense(normal.element.get_or_add_rPr(), CONDENSE_TWIPS)
    C = WD_ALIGN_PARAGRAPH.CENTER
    _style(doc, "正文", FANGSONG, BODY_PT, indent_chars=2, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
           condense=CONDENSE_TWIPS)
    _style(doc, "发文机关标志", XIAOBIAOSONG, 26, align=C, color="FF0000", exact=False, grid=False)
    _style(doc, "发文字号", FANGSONG, BODY_PT, align=C)
    _style(doc, "公文标题", XIAOBIAOSONG, 22, align=C, outline=0, grid=False)
    _style(doc, "主送机关", FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY, condense=CONDENSE_TWIPS)
    _style(doc, "一级标题", HEITI, BODY_PT, indent_chars=2, outline=1, keep_next=True, condense=CONDENSE_TWIPS)
    _style(doc, "二级标题", KAITI, BODY_PT, indent_chars=2, outline=2, keep_next=True, condense=CONDENSE_TWIPS)
    _style(doc, "正文末段", FANGSONG, BODY_PT, indent_chars=2, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
           condense=CONDENSE_TWIPS, keep_next=True)
    # left aligned: a long e-mail address must not stretch the line before it
    _style(doc, "联系人", FANGSONG, BODY_PT, indent_chars=2, align=WD_ALIGN_PARAGRAPH.LEFT,
           condense=CONDENSE_TWIPS, keep_next=True)
    _style(doc, "空行", FANGSONG, BODY_PT, keep_next=True, condense=CONDENSE_TWIPS)
    # 署名 and 成文日期: right 4 characters; render centres the 署名 over the date (GB/T 9704 7.3.5.1)
    _style(doc, "落款", FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, condense=CONDENSE_TWIPS,
           keep_next=True)
    _style(doc, "成文日期", FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, condense=CONDENSE_TWIPS)
    _style(doc, "附件标号", HEITI, BODY_PT, page_break=True)
    _style(doc, "附件标题", XIAOBIAOSONG, 18, align=C, grid=False)
    _style(doc, "附件小标题", HEITI, 14, exact=False, keep_next=True)
    _style(doc, "表格文字", FANGSONG, 10.5, align=C, exact=False, grid=False)
    _style(doc, "图", FANGSONG, BODY_PT, align=C, exact=False, grid=False, keep_next=True)
    _style(doc, "图题", KAITI, 14, align=C, exact=False, grid=False)
    _style(doc, "页码", SONGTI, 14, exact=False, latin=SONGTI, base=None)
    _style(doc, "版记", FANGSONG, 14, exact=False, grid=False)
    ppr = doc.styles["版记"].element.get_or_add_pPr()
    ppr.find(qn("w:spacing")).set(qn("w:before"), "40")
    ppr.find(qn("w:spacing")).set(qn("w:after"), "40")
    _style(doc, "征求意见稿", HEITI, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, exact=False, grid=False, base=None)
    for name in ("落款", "成文日期"):
        ppr = doc.styles[name].element.get_or_add_pPr()
        ind = OxmlElement("w:ind")
        ind.set(qn("w:rightChars"), "400")  # 成文日期右空四字
        ind.set(qn("w:right"), str(4 * BODY_PT * 20))
        ppr.append(ind)
        _sort_ppr(ppr)
    ppr = doc.styles["附件标题"].element.get_or_add_pPr()
    ppr.find(qn("w:spacing")).set(qn("w:before"), str(LINE_PITCH))
    ppr.find(qn("w:spacing")).set(qn("w:after"), str(LINE_PITCH))
    ppr = doc.styles["附件小标题"].element.get_or_add_pPr()
    ppr.find(qn("w:spacing")).set(qn("w:before"), "240")
    ppr.find(qn("w:spacing")).set(qn("w:after"), "120")


# ---- the document -------------------------------------------------------------------------
BODY = [
    ("发文机关标志", "{{ issuer }}"),
    ("发文字号", "{%p if doc_number %}"),
    ("发文字号", "{{ doc_number }}"),
    ("发文字号", "{%p endif %}"),
    ("RULE", ""),
    ("正文", ""),
    # Two lines broken between words (GB/T 9704 7.3.1: 回行时词意完整、排列对称); edit both in Word.
    ("公文标题", "关于{{ quarter_label }}基层政务公开\n标准化规范化工作进展情况的通报"),
    ("正文", ""),
    ("主送机关", "{{ recipients }}"),
    ("正文", "根据《三门峡市开展基层政务公开标准化规范化工作实施方案》要求，{{ office }}对{{ scope }}"
            "{{ quarter_label }}基层政务公开标准化规范化工作进展情况进行了汇总核查（统计截至{{ as_of_text }}）。"
            "现将有关情况通报如下："),
    # Only when last quarter named someone; the headings after it renumber (sec.*).
    ("一级标题", "{%p if rectification %}"),
    ("一级标题", "{{ sec.rect }}、上期问题整改情况"),
    ("正文", "{{ rectification|join('') }}各单位逐项整改情况见{{ att.rect.label }}。"),
    ("正文", "{%p endif %}"),
    ("一级标题", "{{ sec.overall }}、总体情况"),
    ("二级标题", "（一）报送情况"),
    ("正文", "本季度应报送工作进展的单位{{ ov.n_units }}个，按时报送{{ ov.n_on_time }}个"
            "{% if ov.n_late %}，逾期报送{{ ov.n_late }}个（{{ ov.late_names|join('、') }}）{% endif %}"
            "{% if ov.n_missing %}，{{ ov.missing_word }}{{ ov.n_missing }}个（{{ ov.missing_names|join('、') }}）{% endif %}"
            "，按时报送率{{ ov.on_time_rate }}。{% if ov.n_rejected %}另有{{ ov.n_rejected }}份文件因无法读取"
            "等原因未予接收。{% endif %}"),
    ("二级标题", "（二）任务完成情况"),
    ("正文", "截至{{ as_of_text }}，各单位已到期的任务共{{ ov.tasks_due }}项次，已完成{{ ov.tasks_done }}"
            "项次（其中按期完成{{ ov.tasks_on_time }}项次、逾期完成{{ ov.tasks_late }}项次），完成率"
            "{{ ov.done_rate }}；逾期未完成{{ ov.tasks_overdue }}项次，未报送或漏报{{ ov.tasks_unreported }}项次。"
            "持续推进类任务{{ ov.tasks_ongoing }}项次，其中已填报进展{{ ov.tasks_ongoing_filled }}项次。"),
    ("二级标题", "（三）试点领域标准目录编制情况"),
    ("正文", "{{ ov.cat_units }}个{{ labels.base }}应编制试点领域标准目录{{ ov.cat_total }}个，已编制并公开"
            "{{ ov.cat_published }}个，公开率{{ ov.cat_rate }}{% if ov.cat_full_names %}，其中"
            "{{ ov.cat_full_names|join('、') }}已全部编制并公开{% endif %}。{% if ov.plan_units %}"
            "{{ ov.plan_units }}个牵头部门应出台试点领域实施方案{{ ov.plan_total }}个，已出台"
            "{{ ov.plan_issued }}个，出台率{{ ov.plan_rate }}。{% endif %}"),
    # The audit of the catalogues sent with the returns (inputs/<Q>/目录/), when there are any.
    ("正文", "{%p if catalogue_quality %}"),
    ("正文", "{{ catalogue_quality }}"),
    ("正文", "{%p endif %}"),
    # The townships one level down, from the counties' summary returns (when any county sent one).
    ("正文", "{%p if township %}"),
    ("正文", "{{ township }}各县（市、区）乡镇（街道）汇总情况见{{ att.township.label }}。"),
    ("正文", "{%p endif %}"),
    ("图", "{%p if img.domain_coverage %}"),
    ("图", "{{ img.domain_coverage }}"),
    ("图题", "图{{ fig.domain_coverage }}　{{ labels.base }}试点领域标准目录编制情况"),
    ("图", "{%p endif %}"),
    ("二级标题", "（四）综合得分情况"),
    ("正文", "参与排名的{{ ov.n_units }}个单位平均得分{{ ov.avg_total }}分{% if ov.avg_change %}，"
            "{{ ov.avg_change }}{% endif %}。{% for g in groups %}{{ g.label }}平均{{ g.avg }}分"
            "{% if g.avg_change %}（{{ g.avg_change }}）{% endif %}{% if not loop.last %}，{% endif %}"
            "{% endfor %}。"),
    ("图", "{%p if img.score_trend %}"),
    ("图", "{{ img.score_trend }}"),
    ("图题", "图{{ fig.score_trend }}　各季度综合得分变化情况"),
    ("图", "{%p endif %}"),
    ("一级标题", "{{ sec.ranking }}、排名情况"),
    ("正文", "按照《实施方案》确定的任务分工和时间节点，从报送及时性、任务完成、试点领域目录（实施方案）"
            "编制、报表质量四个方面对各单位进行综合评分，{{ labels.base }}和{{ labels.dept }}分别排名"
            "（详见{{ att.ranking.label }}）。"),
    ("二级标题", "{%p for g in groups %}"),
    ("二级标题", "{{ g.seq }}{{ g.label }}"),
    ("正文", "{{ g.label }}{{ g.n }}个单位中，{% for c in g.grade_counts %}{{ c.grade }}{{ c.n }}个"
            "{% if not loop.last %}、{% endif %}{% endfor %}。排名前列的是{{ g.top|join('、') }}"
            "{% if g.bottom %}；排名靠后的是{{ g.bottom|join('、') }}{% endif %}。"
            "{% if g.up %}与上季度相比，名次上升的有{{ g.up|join('、') }}{% endif %}"
            "{% if g.down %}{% if g.up %}；{% else %}与上季度相比，{% endif %}名次下降的有"
            "{{ g.down|join('、') }}{% endif %}{% if g.up or g.down %}。{% endif %}"
            "{% if g.not_reported %}{{ g.not_reported }}尚未报送本季度工作进展。{% endif %}"),
    ("图", "{%p if img[g.chart] %}"),
    ("图", "{{ img[g.chart] }}"),
    ("图题", "图{{ fig[g.chart] }}　{{ g.label }}综合得分排名"),
    ("图", "{%p endif %}"),
    ("二级标题", "{%p endfor %}"),
    ("一级标题", "{{ sec.praise }}、表扬和通报批评"),
    # Sub-headings only when there are both; otherwise one plain paragraph each.
    ("二级标题", "{%p if commended and criticised %}"),
    ("二级标题", "（一）予以表扬的单位"),
    ("二级标题", "{%p endif %}"),
    ("正文", "{% if commended %}以下单位按时报送、任务推进有力、综合得分优秀，予以通报表扬：{% else %}"
            "本季度无符合表扬条件的单位。{% endif %}"),
    ("正文", "{%p for c in commended %}"),
    ("正文", "{{ c.label }}（{{ c.n }}个）：{{ c.names|join('、') }}。"),
    ("正文", "{%p endfor %}"),
    ("二级标题", "{%p if commended and criticised %}"),
    ("二级标题", "（二）予以通报批评的单位"),
    ("二级标题", "{%p endif %}"),
    ("正文", "{% if criticised %}以下单位存在报送不及时、任务逾期未完成或漏报等问题，予以通报批评：{% else %}"
            "本季度无通报批评单位。{% endif %}"),
    ("正文", "{%p if crit_rows %}"),
    ("正文", "{%p for k in crit_kinds %}"),
    ("正文", "{{ loop.index }}．{{ k.label }}的单位{{ k.n }}个：{{ k.names }}。"),
    ("正文", "{%p endfor %}"),
    ("正文", "以上{{ criticised|length }}个单位的具体问题见{{ att.crit.label }}。"),
    ("正文", "{%p else %}"),
    ("正文", "{%p for c in criticised %}"),
    ("正文", "{{ loop.index }}．{{ c.name }}：{{ c.reasons }}。"),
    ("正文", "{%p endfor %}"),
    ("正文", "{%p endif %}"),
    ("一级标题", "{{ sec.problems }}、存在问题"),
    ("正文", "{% if pr.n_issues %}本季度报表{% if pr.with_catalogue %}和标准目录{% endif %}审核共发现问题{{ pr.n_issues }}个（错误{{ pr.n_errors }}个、"
            "警告{{ pr.n_warnings }}个），涉及{{ pr.n_issue_units }}个单位，主要是：{% for c in pr.codes %}"
            "{{ c.label }}（{{ c.n }}个）{% if not loop.last %}；{% endif %}{% endfor %}。具体问题及修改要求见{{ att.issues.label }}。"
            "{% else %}本季度报表审核未发现问题。{% endif %}"),
    ("正文", "{%p for t in pr.overdue_tasks %}"),
    ("正文", "第{{ t.task_id }}项任务（时限{{ t.deadline_text }}）逾期未完成，涉及{{ t.n }}个单位："
            "{{ t.names|join('、') }}。"),
    ("正文", "{%p endfor %}"),
    ("正文", "{%p for t in pr.unreported_tasks %}"),
    ("正文", "第{{ t.task_id }}项任务（时限{{ t.deadline_text }}）未填报，涉及{{ t.n }}个单位："
            "{{ t.names|join('、') }}。"),
    ("正文", "{%p endfor %}"),
    ("正文", "{%p if pr.catalogue_gaps or pr.catalogue_missing %}"),
    ("正文", "试点领域标准目录尚未全部编制并公开的{{ labels.base }}有：{% for u in pr.catalogue_gaps %}"
            "{{ u.names|join('、') }}（{% if u.names|length > 1 %}各{% endif %}已公开{{ u.published }}个，"
            "共{{ u.total }}个）{% if not loop.last %}；{% endif %}{% endfor %}"
            "{% if pr.catalogue_missing %}；{{ pr.catalogue_missing|join('、') }}尚未报送{% endif %}。"),
    ("正文", "{%p endif %}"),
    ("图", "{%p if img.verdict_matrix %}"),
    ("图", "{{ img.verdict_matrix }}"),
    ("图题", "图{{ fig.verdict_matrix }}　各单位任务完成情况"),
    ("图", "{%p endif %}"),
    ("一级标题", "{{ sec.next }}、下一步工作要求"),
    # From the last requirement to the 落款 the paragraphs keep with the next one, so that the
    # signature never stands alone on a page (GB/T 9704 7.3.5).
    ("正文", "{%p for s in next_steps %}"),
    ("正文", "{%p if loop.last and not contact %}"),
    ("正文末段", "{{ loop.index }}．{{ s }}"),
    ("正文", "{%p else %}"),
    ("正文", "{{ loop.index }}．{{ s }}"),
    ("正文", "{%p endif %}"),
    ("正文", "{%p endfor %}"),
    ("正文", "{%p if contact %}"),
    ("联系人", "联系人：{{ contact }}。"),
    ("正文", "{%p endif %}"),
    ("空行", ""),
    ("附件说明", "{%p for a in attachments %}"),
    ("附件说明", "{%p if loop.first %}"),
    ("附件说明", "附件：{% if a.n %}{{ a.n }}．{% endif %}{{ a.title }}"),
    ("附件说明", "{%p else %}"),
    ("附件说明2", "{{ a.n }}．{{ a.title }}"),
    ("附件说明", "{%p endif %}"),
    ("附件说明", "{%p endfor %}"),
    ("空行", ""),
    ("落款", "{{ issuer }}"),
    ("成文日期", "{{ date_text }}"),
    ("附件标号", "{{ att.ranking.label }}"),
    ("附件标题", "{{ att.ranking.title }}"),
    ("附件小标题", "{%p for g in groups %}"),
    ("附件小标题", "{{ g.seq }}{{ g.label }}"),
    ("TABLE_RANKING", ""),
    ("附件小标题", "{%p endfor %}"),
    ("附件标号", "{%p if att.rect %}"),
    ("附件标号", "{{ att.rect.label }}"),
    ("附件标题", "{{ att.rect.title }}"),
    ("TABLE_RECT", ""),
    ("正文", "{%p endif %}"),
    ("附件标号", "{%p if att.crit %}"),
    ("附件标号", "{{ att.crit.label }}"),
    ("附件标题", "{{ att.crit.title }}"),
    ("TABLE_CRIT", ""),
    ("正文", "{%p endif %}"),
    ("附件标号", "{%p if att.township %}"),
    ("附件标号", "{{ att.township.label }}"),
    ("附件标题", "{{ att.township.title }}"),
    ("TABLE_TOWNSHIP", ""),
    ("正文", "{%p endif %}"),
    ("附件标号", "{%p if att.issues %}"),
    ("附件标号", "{{ att.issues.label }}"),
    ("附件标题", "{{ att.issues.title }}"),
    ("TABLE_ISSUES", ""),
    ("正文", "{%p endif %}"),
    # 版记 (GB/T 9704 7.4): 抄送, then 印发机关 and 印发日期, between a thick, a thin and a thick
    # rule, at the foot of the last page (paragraphs framed at the bottom of the text block).
    ("TABLE_COLOPHON", ""),
]

# (header, key, width mm): widths sum to the 156 mm text block; with 1 mm cell margins and
# two-line headers the number columns hold 「100.0%」 and the unit column the longest name.
RANKING_COLUMNS = [("排名", "rank", 10), ("单位", "name", 46), ("报送\n及时", "timeliness", 15),
                   ("任务\n完成", "completion", 15), ("目录\n编制", "catalogue", 15),
                   ("报表\n质量", "quality", 15), ("综合\n得分", "total", 14), ("等次", "grade", 14),
                   ("名次\n变化", "change", 12), ("备注", "note", 16)]
RECT_COLUMNS = [("序号", "n", 10), ("单位", "unit", 30), ("上期通报的问题", "reason", 50),
                ("本季度情况", "status", 50), ("是否\n整改", "resolved", 14)]
TOWNSHIP_COLUMNS = [("县（市、区）", "county", 26), ("乡镇\n（街道）", "townships", 16),
                    ("已报送", "reporting", 14), ("按时\n报送", "on_time", 14),
                    ("应完成\n任务", "tasks_due", 16), ("已完成\n任务", "tasks_done", 16),
                    ("任务\n完成率", "completion_rate", 18), ("目录\n应编制", "catalogue_due", 16),
                    ("已编制\n并公开", "catalogue_done", 16), ("目录\n覆盖率", "catalogue_rate", 18)]
CRIT_COLUMNS = [("序号", "n", 10), ("单位", "unit", 30), ("类别", "group", 18), ("存在问题", "reasons", 98)]
ISSUE_COLUMNS = [("序号", "n", 10), ("单位", "unit", 26), ("位置", "location", 42),
                 ("类别", "severity", 12), ("问题及修改要求", "message", 66)]
CELL_MARGIN_TWIPS = 57  # 1 mm left and right (Word's default is 1.9 mm)


def _table(doc, columns, loop: str, anchor) -> None:
    """Header row, then the `{%tr for %}` loop over data rows, before paragraph `anchor`."""
    table = doc.add_table(rows=4, cols=len(columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    text_width = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]
    scale = text_width / sum(w for _, _, w in columns)
    widths = [Mm(w * scale) for _, _, w in columns]
    for col, width in zip(table.columns, widths, strict=True):
        col.width = width
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(CELL_MARGIN_TWIPS))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    table._tbl.tblPr.find(qn("w:tblLook")).addprevious(mar)
    tbl_w = table._tbl.tblPr.find(qn("w:tblW"))
    tbl_w.set(qn("w:w"), str(sum(w.twips for w in widths)))
    tbl_w.set(qn("w:type"), "dxa")
    texts = [[h for h, _, _ in columns], [f"{{%tr for r in {loop} %}}"] + [""] * (len(columns) - 1),
             [f"{{{{ r.{key} }}}}" for _, key, _ in columns], ["{%tr endfor %}"] + [""] * (len(columns) - 1)]
    for i, row in enumerate(table.rows):
        for j, cell in enumerate(row.cells):
            cell.width = widths[j]
            p = cell.paragraphs[0]
            p.style = doc.styles["表格文字"]
            if texts[i][j]:
                run = p.add_run(texts[i][j])
                run.bold = i == 0
    header = table.rows[0]._tr.get_or_add_trPr()
    rep = OxmlElement("w:tblHeader")  # repeat the header row on every page
    header.append(rep)
    for j, (_, key, _) in enumerate(columns):  # long text columns: left aligned
        if key in ("message", "location", "reason", "status", "reasons"):
            table.rows[2].cells[j].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT
    anchor._p.addprevious(table._tbl)


COLOPHON_PT = 14  # 4号仿宋
THICK, THIN = "8", "6"  # rule widths in eighths of a point: 0.35 mm and 0.25 mm (GB/T 9704 7.4.1)


def _frame(paragraph) -> None:
    """Anchor the paragraph to the bottom of the text block (a frame as wide as the text block;
    consecutive paragraphs with the same frame form one), as GB/T 9704 wants the 版记."""
    ppr = paragraph._p.get_or_add_pPr()
    frame = OxmlElement("w:framePr")
    width = Mm(210 - MARGINS_MM["left"] - MARGINS_MM["right"])
    for k, v in {"w": str(width.twips), "wrap": "notBeside", "vAnchor": "margin", "hAnchor": "margin",
                 "xAlign": "center", "yAlign": "bottom"}.items():
        frame.set(qn(f"w:{k}"), v)
    ppr.append(frame)
    _sort_ppr(ppr)


def _rules(paragraph, top: str | None, bottom: str | None) -> None:
    """版记 rules as paragraph borders (sizes in eighths of a point)."""
    ppr = paragraph._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    for side, size in (("top", top), ("bottom", bottom)):
        if size:
            el = OxmlElement(f"w:{side}")
            for k, v in {"val": "single", "sz": size, "space": "1", "color": "000000"}.items():
                el.set(qn(f"w:{k}"), v)
            bdr.append(el)
    ppr.append(bdr)
    _sort_ppr(ppr)


def _colophon(doc, anchor) -> None:
    """The 版记 before paragraph `anchor` (GB/T 9704 7.4): 抄送 (only when the settings name
    抄送机关), then 印发机关 left and 印发日期 right, each one character in, between a thick, a
    thin and a thick rule, framed at the foot of the last page."""
    width = Mm(210 - MARGINS_MM["left"] - MARGINS_MM["right"])
    rows = [("{%p if cc %}", None, None), ("抄送：{{ cc }}。", THICK, THIN),
            ("{{ printer }}\t{{ print_date_text }}印发", None, THICK), ("{%p else %}", None, None),
            ("{{ printer }}\t{{ print_date_text }}印发", THICK, THICK), ("{%p endif %}", None, None)]
    for text, top, bottom in rows:
        p = anchor.insert_paragraph_before(style="版记")
        p.add_run(text)
        if text.startswith("{%"):
            continue
        _frame(p)
        _rules(p, top, bottom)
        pf = p.paragraph_format
        if text.startswith("抄送"):  # 左右各空一字, 回行时与冒号后的首字对齐
            pf.left_indent, pf.first_line_indent = Pt(4 * COLOPHON_PT), Pt(-3 * COLOPHON_PT)
            pf.right_indent = Pt(COLOPHON_PT)
        else:  # 印发机关左空一字, 印发日期右空一字
            pf.left_indent = Pt(COLOPHON_PT)
            pf.right_indent = Pt(COLOPHON_PT)
            pf.tab_stops.add_tab_stop(width - Pt(2 * COLOPHON_PT), WD_TAB_ALIGNMENT.RIGHT)
    anchor._p.getparent().remove(anchor._p)


def build(out: Path = OUT) -> Path:
    doc = docx.Document()
    _drop_thumbnail(doc)
    _doc_defaults(doc)
    _styles(doc)
    _style(doc, "附件说明", FANGSONG, BODY_PT, condense=CONDENSE_TWIPS, keep_next=True)
    _style(doc, "附件说明2", FANGSONG, BODY_PT, condense=CONDENSE_TWIPS, keep_next=True)
    for name, left in (("附件说明", 2), ("附件说明2", 5)):  # 附件：1． … hanging under 「1．」
        ppr = doc.styles[name].element.get_or_add_pPr()
        ind = OxmlElement("w:ind")
        ind.set(qn("w:leftChars"), str(left * 100))
        ind.set(qn("w:left"), str(left * BODY_PT * 20))
        ppr.append(ind)
        _sort_ppr(ppr)
    _settings(doc)
    _font_table(doc)
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    tables = []
    for style, text in BODY:
        if style == "RULE":
            _red_rule(doc.add_paragraph(style="发文字号"))
        elif style.startswith("TABLE_"):
            tables.append((style, doc.add_paragraph(style="表格文字")))
        else:
            p = doc.add_paragraph(style=style)
            if text:
                p.add_run(text)
    for kind, anchor in tables:
        if kind == "TABLE_COLOPHON":
            _colophon(doc, anchor)
            continue
        columns, loop = {"TABLE_RANKING": (RANKING_COLUMNS, "g.rows"), "TABLE_RECT": (RECT_COLUMNS, "rect_rows"),
                         "TABLE_CRIT": (CRIT_COLUMNS, "crit_rows"),
                         "TABLE_TOWNSHIP": (TOWNSHIP_COLUMNS, "township_rows"),
                         "TABLE_ISSUES": (ISSUE_COLUMNS, "issue_rows")}[kind]
        _table(doc, columns, loop, anchor)
        anchor._p.getparent().remove(anchor._p)
    _page_setup(doc)
    props = doc.core_properties
    props.author = props.last_modified_by = "zwgk"
    props.title = "{{ title }}"
    props.comments = ""
    props.revision = 1
    import datetime as dt

    props.created = props.modified = dt.datetime(2020, 1, 1)
    doc.save(out)
    return out


if __name__ == "__main__":
    print(build())
