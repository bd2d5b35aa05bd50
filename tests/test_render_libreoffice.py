"""A real client: LibreOffice converts the .docx and .xlsx to PDF; pdftotext reads them back.

The PDF is checked for content and page geometry, and for what a 政务公开办 would send back:
the 版记 at the foot of the last page, no half-empty page in the middle of a section, no number
broken over two lines in a table cell, at most eight pages of body text. Line lengths are not
checked here: they depend on the fonts of the machine (the 22 × 28 grid is checked in the XML,
test_render_docx.test_page_setup). pipeline.render.pdf maps the official fonts to OFL fonts of
the same metrics, which `make sysdeps` installs.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from render_fixture import make_result

from pipeline.render.bulletin_docx import render_bulletin_docx
from pipeline.render.charts import render_charts
from pipeline.render.pdf import to_pdf
from pipeline.render.workbook import render_ranking_workbook

pytestmark = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")),
    reason="需要 LibreOffice（soffice）和 poppler-utils（pdftotext）；make sysdeps 会安装")

PT_PER_MM = 72 / 25.4
TOP, BOTTOM = 37 * PT_PER_MM, (297 - 35) * PT_PER_MM  # the text block
MAX_BODY_PAGES = 8


def _pdf_text(pdf, *args) -> str:
    return subprocess.run(["pdftotext", "-layout", *args, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_libreoffice_opens_docx_and_xlsx(ref, tmp_path):
    result = make_result(ref)
    charts = render_charts(result, tmp_path / "charts")
    docx_path = render_bulletin_docx(result, tmp_path / "bulletin.docx", charts, date="2021-03-25")
    xlsx_path = render_ranking_workbook(result, tmp_path / "ranking.xlsx")
    bulletin, sheet = to_pdf([docx_path, xlsx_path], tmp_path / "pdf")
    flat = "".join(_pdf_text(bulletin).split())
    assert "基层政务公开标准化规范化工作进展情况的通报" in flat
    assert "市自然资源和规划局" in flat and "湖滨区" in flat
    assert "—1—" in flat and "—2—" in flat  # page numbers drawn from the PAGE field
    _check_layout(bulletin)
    sheet = "".join(_pdf_text(sheet).split())
    assert "市发展改革委" in sheet and "逾期未完成" in sheet and "第1页" in sheet


def _pages(pdf) -> list[list[tuple[float, float, float, float, str]]]:
    """(xMin, yMin, xMax, yMax, text) of each text line, page by page (pdftotext -bbox-layout)."""
    html = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        lines = []
        for attrs, body in re.findall(r'<line (xMin="[^>]*)>(.*?)</line>', page, re.S):
            box = [float(v) for v in re.findall(r'"([\d.]+)"', attrs)]
            lines.append((*box, "".join(re.findall(r">([^<]*)</word>", body))))
        pages.append(lines)
    return pages


def _words(pdf) -> list[list[str]]:
    html = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [re.findall(r">([^<]*)</word>", page) for page in html.split("<page ")[1:]]


def _check_layout(pdf) -> None:
    """GB/T 9704 geometry as LibreOffice lays it out: the text block starts 28 mm from the left
    and ends 26 mm from the right of the A4 page, lines are 225 mm / 22 apart, and the page
    number sits outside: right on odd pages, left on even ones."""
    left, right = 28 * PT_PER_MM, (210 - 26) * PT_PER_MM
    pitch = 225 * PT_PER_MM / 22
    pages = [[(x0, x1, y) for x0, y, x1, _, _ in page] for page in _pages(pdf)]
    body = [line for page in pages[:4] for line in page]
    assert abs(min(x0 for x0, _, _ in body) - left) < 1.5
    full = [x1 for _, x1, _ in body if abs(x1 - right) < 1.5]  # justified lines end at the margin
    assert len(full) > 20
    assert max(x1 for _, x1, _ in body) < right + 17  # at most a hanging 。 or ，
    gaps = [b[2] - a[2] for page in pages[:4] for a, b in zip(page, page[1:], strict=False)
            if 0 < b[2] - a[2] < 1.5 * pitch]
    assert len(gaps) > 30 and sum(abs(g - pitch) < 0.5 for g in gaps) / len(gaps) > 0.9
    for number, page in enumerate(pages[:4], start=1):
        x0, x1, _ = max(page, key=lambda line: line[2])  # the lowest line: the page number
        if number % 2:
            assert abs(x1 - (right - 14)) < 2, number  # 一字 (4号, 14 pt) in from the outer edge
        else:
            assert abs(x0 - (left + 14)) < 2, number


# ---- the demo's 通报: what an office would sign ------------------------------------------------
@pytest.fixture(scope="module")
def demo_pdfs(ref, tmp_path_factory):
    from pipeline.render.bulletin_docx import render_bulletin_docx as render
    from pipeline.run import run_demo
    from pipeline.workspace import Workspace

    root = tmp_path_factory.mktemp("demo")
    docs = []
    for result, paths in run_demo(Workspace(root), ref):
        q = str(result.quarter)
        # the run's own 通报, stamped with a fixed 成文日期 so that the PDF is reproducible
        charts = {p.stem: p for p in (paths["charts"]).glob("*.png")}
        docs.append(render(result, root / f"通报_{q}.docx", charts, date=result.as_of))
    return dict(zip([d.stem.split("_")[1] for d in docs], to_pdf(docs, root / "pdf"), strict=True))


def _sections(pages) -> list[list[int]]:
    """Page numbers (0-based) of the body and of each attachment (an attachment starts on a page
    whose first line is 附件 or 附件N)."""
    starts = [0] + [i for i, page in enumerate(pages) if i and page and re.fullmatch(r"附件\d*", page[0][4])]
    return [list(range(a, b)) for a, b in zip(starts, starts[1:] + [len(pages)], strict=True)]


def _rows(page) -> list[tuple[float, str]]:
    """(yMax, text) of each printed row of a page, pieces on one baseline joined left to right."""
    rows: dict[int, list] = {}
    for x0, _, _, y1, text in page:
        rows.setdefault(round(y1), []).append((x0, text))
    return [(y, "".join(t for _, t in sorted(pieces))) for y, pieces in sorted(rows.items())]


def test_demo_colophon_on_the_last_page(demo_pdfs):
    for q, pdf in demo_pdfs.items():
        rows = _rows(_pages(pdf)[-1])
        assert rows[-1][1].startswith("—"), q  # the page number, then, just above it, the 版记
        y, text = rows[-2]
        assert re.fullmatch(r"三门峡市人民政府办公室\d{4}年\d+月\d+日印发", text), (q, text)
        assert y > BOTTOM - 30, q  # at the foot of the text block
        # nowhere else
        assert sum("印发" in line[4] for page in _pages(pdf) for line in page) == 1, q


def test_demo_body_at_most_eight_pages_none_half_empty(demo_pdfs):
    half = (TOP + BOTTOM) / 2
    for q, pdf in demo_pdfs.items():
        pages = _pages(pdf)
        sections = _sections(pages)
        assert len(sections[0]) <= MAX_BODY_PAGES, (q, len(sections[0]))
        for section in sections:
            for i in section[:-1]:  # every page but a section's last is at least half full
                lowest = max(y1 for _, _, _, y1, text in pages[i] if not text.startswith("—"))
                assert lowest > half, (q, i + 1)


def test_demo_table_numbers_never_wrap(demo_pdfs):
    """In the attachment tables each number (100.0%, 95.7, ↑2) is one word of the PDF: a number
    broken over two lines of its cell would leave a lone 「%」 or a 「100.」."""
    for q, pdf in demo_pdfs.items():
        pages = _words(pdf)
        start = next(i for i, p in enumerate(_pages(pdf)) if p and re.fullmatch(r"附件\d*", p[0][4]))
        words = [w for page in pages[start:] for w in page]
        assert any(w == "100.0%" for w in words), q
        broken = [w for w in words if w == "%" or re.fullmatch(r"\d+\.", w) or re.fullmatch(r"\.\d%?", w)]
        assert not broken, (q, broken)


def test_draft_pdf_marks_every_page(ref, tmp_path):
    result = make_result(ref)
    (pdf,) = to_pdf([render_bulletin_docx(result, tmp_path / "draft.docx", draft=True, date="2021-03-18")],
                    tmp_path)
    pages = _pdf_text(pdf).split("\f")[:-1]
    assert len(pages) > 2 and all("征求意见稿" in page for page in pages)
    assert "尚未报送1个（渑池县）" in "".join(pages[1].split()) + "".join(pages[0].split())
