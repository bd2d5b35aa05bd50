"""Builders of catalogue sheets laid out the way units really send them (issue #23): items
spanning rows with merged or blank 序号/事项 cells, headers printed above every item, three
levels of item names, 「同上」, tick glyphs; and the same table as .docx, .ods or .et bytes."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

HEAD = ["序号", "公开事项", "公开事项", "公开事项", "公开内容（要素）", "公开依据", "公开时限", "公开主体",
        "公开渠道和载体", "公开对象", "公开对象", "公开方式", "公开方式", "公开层级", "公开层级"]
SUB = [None, "一级事项", "二级事项", "三级事项", None, None, None, None, None, "全社会", "特定群众", "主动",
       "依申请", "县级", "乡级"]
BASIS = "《中华人民共和国政府信息公开条例》"
TIME = "信息形成或者变更之日起20个工作日内"
SUBJECT = "灵宝市民政局"
CHANNEL = "政府网站、政务新媒体"
TICKS = ("√", None, "√", None, "√", None)   # 全社会, 特定群众, 主动, 依申请, 县级, 乡级


def two_level(head=HEAD, sub=SUB):
    """The header without the 三级事项 column."""
    drop = 3
    return [v for i, v in enumerate(head) if i != drop], [v for i, v in enumerate(sub) if i != drop]


def entry(seq, names, contents, basis=BASIS, time=TIME, subject=SUBJECT, channel=CHANNEL, ticks=TICKS,
          levels=3):
    """Rows of one item: the first carries everything, the others one more line of 公开内容 and
    None elsewhere (the caller merges or leaves those cells blank)."""
    names = list(names) + [None] * (levels - len(names))
    rows = [[seq, *names, contents[0], basis, time, subject, channel, *ticks]]
    width = len(rows[0])
    for text in contents[1:]:
        row = [None] * width
        row[1 + levels] = text
        rows.append(row)
    return rows


def sheet_of(entries, title="灵宝市社会救助领域基层政务公开标准目录", head=HEAD, sub=SUB, merge=True,
             header_above_each=False):
    """(rows, merges): title row, two-row header, then the entries; with `merge`, every column but
    公开内容 is merged down each multi-row item (as units do), else left blank below."""
    width = len(head)
    content_col = head.index("公开内容（要素）")
    rows, merges = [], []
    if title:
        rows.append([title] + [None] * (width - 1))
        merges.append(f"A1:{get_column_letter(width)}1")

    def header():
        h = len(rows) + 1
        rows.append(list(head))
        rows.append(list(sub))
        for c in range(width):
            if sub[c] is None:
                merges.append(f"{get_column_letter(c + 1)}{h}:{get_column_letter(c + 1)}{h + 1}")
        c = 0
        while c < width:
            end = c
            while end + 1 < width and head[end + 1] == head[c] and sub[c] is not None:
                end += 1
            if end > c:
                merges.append(f"{get_column_letter(c + 1)}{h}:{get_column_letter(end + 1)}{h}")
            c = end + 1

    header()
    for n, block in enumerate(entries):
        if header_above_each and n:
            header()
        top = len(rows) + 1
        rows += block
        if merge and len(block) > 1:
            for c in range(width):
                if c != content_col:
                    letter = get_column_letter(c + 1)
                    merges.append(f"{letter}{top}:{letter}{top + len(block) - 1}")
    return rows, merges


def workbook_bytes(sheets: dict) -> bytes:
    """sheets: name -> (rows, merges), merged cells other than the top-left emptied."""
    from openpyxl.utils import range_boundaries

    wb = Workbook()
    wb.remove(wb.active)
    for name, (rows, merges) in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for ref in merges:
            c0, r0, c1, r1 = range_boundaries(ref)
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0):
                        ws.cell(r, c).value = None
            ws.merge_cells(ref)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def docx_bytes(caption: str, rows, merges) -> bytes:
    """The same table as a Word document: `caption` as a paragraph above it, merges as Word's."""
    import docx
    from openpyxl.utils import range_boundaries

    document = docx.Document()
    document.add_paragraph(caption)
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                table.cell(r, c).text = str(value)
    for ref in merges:
        c0, r0, c1, r1 = range_boundaries(ref)
        top = table.cell(r0 - 1, c0 - 1)
        text = top.text
        merged = top.merge(table.cell(r1 - 1, c1 - 1))
        merged.text = text  # Word joins the texts of merged cells; keep the top-left's
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def ods_bytes(name: str, rows) -> bytes:
    """A minimal OpenDocument spreadsheet written by hand (no odfpy needed)."""
    def cell(v):
        if v is None:
            return "<table:table-cell/>"
        if isinstance(v, int | float):
            return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(name)}">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def xls_bytes(name: str, rows) -> bytes | None:
    """The rows as an .xls (BIFF8) via xlwt, or None when xlwt is not installed."""
    try:
        import xlwt
    except ImportError:
        return None
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet(name)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
