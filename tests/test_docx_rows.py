"""The 附件 rows written as text (render/docx_rows.py) are the XML docxtpl writes for the same
rows: escaping, line breaks, tabs, empty texts, numbers, text around a field."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docxtpl import DocxTemplate
from lxml import etree

from pipeline.render.docx_rows import TOKEN, cell_text, real_rows, with_row_markers, write_document

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ROWS = [{"a": "普通", "b": 1}, {"a": "a&b<c>d", "b": "\"引号'"}, {"a": "", "b": None},
        {"a": "两行\n文字", "b": "末尾换行\n"}, {"a": "制表\t符", "b": "\n"}, {"a": 2.5, "b": "\t"}]


def _template(tmp_path, second="{{ r.b }}") -> str:
    """A document with a paragraph and a table: header, a `{%tr for %}` loop over rows (with
    bold-off runs, as the 通报 template's), and a paragraph after."""
    d = docx.Document()
    d.add_paragraph("前文 {{ title }}")
    t = d.add_table(rows=4, cols=2)
    for row, texts in zip(t.rows, [("甲", "乙"), ("{%tr for r in rows %}", ""), ("{{ r.a }}", second),
                                   ("{%tr endfor %}", "")], strict=True):
        for cell, text in zip(row.cells, texts, strict=True):
            if text:
                cell.paragraphs[0].add_run(text).bold = False
    d.add_paragraph("后文")
    path = tmp_path / "t.docx"
    d.save(path)
    return str(path)


def _document_xml(tpl: DocxTemplate, tables=None) -> bytes:
    buf = io.BytesIO()
    tpl.save(buf)
    xml = zipfile.ZipFile(buf).read("word/document.xml")
    if tables is None:
        return xml
    out = io.StringIO()
    write_document(xml.decode("utf-8"), tables, out.write)
    return out.getvalue().encode("utf-8")


def _both(template: str, rows: list[dict], title: str = "标题") -> tuple[bytes, bytes]:
    """(docxtpl rendering every row, the marker row streamed) of the same context."""
    context = {"title": title, "groups": [], "rows": rows, "rect_rows": [], "crit_rows": [],
               "township_rows": [], "issue_rows": []}
    whole = DocxTemplate(template)
    whole.render(context, autoescape=True)
    marked, tables = with_row_markers(context | {"issue_rows": rows})
    marked["rows"] = marked["issue_rows"]
    streamed = DocxTemplate(template)
    streamed.render(marked, autoescape=True)
    return _document_xml(whole), _document_xml(streamed, tables)


def test_streamed_rows_are_the_xml_docxtpl_writes(tmp_path):
    whole, streamed = _both(_template(tmp_path), ROWS)
    assert streamed == whole
    assert len(etree.fromstring(streamed).findall(f".//{W}tr")) == 1 + len(ROWS)


def test_text_around_a_field_and_two_fields_in_a_cell(tmp_path):
    whole, streamed = _both(_template(tmp_path, second="第{{ r.b }}名（{{ r.a }}）"), ROWS)
    assert streamed == whole


def test_a_character_xml_cannot_hold_is_left_out_and_the_part_parses(tmp_path):
    rows = [{"a": "控\x01制\x0b符", "b": "\ud800x"}]
    _, streamed = _both(_template(tmp_path), rows)
    cells = [c for c in etree.fromstring(streamed).iter(f"{W}t")]
    assert [c.text for c in cells][-3:-1] == ["控制符", "x"]


def test_cell_text_is_what_jinja_prints_with_line_ends_as_newlines():
    assert [cell_text(v) for v in (1, None, 2.5, "a\r\nb\rc", "x\x07y")] == ["1", "None", "2.5", "a\nb\nc", "xy"]


def test_empty_row_lists_are_left_as_they_are():
    context = {"groups": [{"rows": []}, {"rows": [{"rank": 1}]}], "rect_rows": [], "crit_rows": [],
               "township_rows": [], "issue_rows": [{"n": 1}, {"n": 2}]}
    marked, tables = with_row_markers(context)
    assert marked["groups"][0]["rows"] == [] and marked["rect_rows"] == []
    assert marked["groups"][1]["rows"] == [{"rank": f"@{TOKEN}:0:rank@"}]
    assert marked["issue_rows"] == [{"n": f"@{TOKEN}:1:n@"}]
    assert tables == [[{"rank": 1}], [{"n": 1}, {"n": 2}]]
    assert context["groups"][1]["rows"] == [{"rank": 1}]  # the context given is not changed


@pytest.mark.parametrize("n", [1, 1201])  # more rows than one write (BATCH)
def test_every_row_is_written_once_in_order(tmp_path, n):
    rows = [{"a": f"单位{i}", "b": i} for i in range(n)]
    whole, streamed = _both(_template(tmp_path), rows)
    assert streamed == whole


def test_real_rows_are_the_texts_the_cells_will_show():
    tables = [[{"a": "甲\r\n乙", "b": 3}, {"a": "", "b": None}]]
    assert real_rows(["序号", "名称"], tables) == [["序号", "名称"]]
    assert real_rows([f"@{TOKEN}:0:a@", f"第@{TOKEN}:0:b@名"], tables) == [["甲\n乙", "第3名"], ["", "第None名"]]


def test_a_text_written_like_a_marker_stays_text(tmp_path):
    """A return's text in the body or in a cell cannot pass for a marker (TOKEN is secret)."""
    fake = "@zwgk:0:a@"
    whole, streamed = _both(_template(tmp_path), [{"a": fake, "b": "@0:b@"}], title=fake)
    assert streamed == whole and streamed.count(fake.encode()) == 2
