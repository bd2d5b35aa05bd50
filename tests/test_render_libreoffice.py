"""A real client: LibreOffice converts the .docx and .xlsx to PDF; pdftotext reads them back."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from render_fixture import make_result

from pipeline.render.bulletin_docx import render_bulletin_docx
from pipeline.render.charts import render_charts
from pipeline.render.workbook import render_ranking_workbook

pytestmark = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")),
    reason="需要 LibreOffice（soffice）和 poppler-utils（pdftotext）；CI 会安装")


def _pdf_text(pdf) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_libreoffice_opens_docx_and_xlsx(ref, tmp_path):
    result = make_result(ref)
    charts = render_charts(result, tmp_path / "charts")
    docx_path = render_bulletin_docx(result, tmp_path / "bulletin.docx", charts)
    xlsx_path = render_ranking_workbook(result, tmp_path / "ranking.xlsx")
    out = tmp_path / "pdf"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(docx_path), str(xlsx_path)],
                   check=True, capture_output=True, timeout=240)
    doc = _pdf_text(out / "bulletin.pdf")
    flat = "".join(doc.split())
    assert "基层政务公开标准化规范化工作进展情况的通报" in flat
    assert "市自然资源和规划局" in flat and "湖滨区" in flat
    assert "—1—" in flat and "—2—" in flat  # page numbers drawn from the PAGE field
    lines = [ln.strip() for ln in doc.splitlines() if ln.strip().startswith("本季度应报送")]
    assert lines and 26 <= len("".join(lines[0].split())) <= 28  # 2 indent + 26: 28 characters a line
    _check_layout(out / "bulletin.pdf")
    sheet = "".join(_pdf_text(out / "ranking.pdf").split())
    assert "市发展改革委" in sheet and "逾期未完成" in sheet and "第1页" in sheet


PT_PER_MM = 72 / 25.4


def _lines(pdf) -> list[list[tuple[float, float, float]]]:
    """(xMin, xMax, yMin) of each text line, page by page (pdftotext -bbox-layout)."""
    import re

    html = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        pages.append([tuple(float(v) for v in m) for m in re.findall(
            r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"', page)])
    return [[(x0, x1, y) for x0, y, x1 in page] for page in pages]


def _check_layout(pdf) -> None:
    """GB/T 9704 geometry as LibreOffice lays it out: the text block starts 28 mm from the left
    and ends 26 mm from the right of the A4 page, lines are 225 mm / 22 apart, and the page
    number sits outside: right on odd pages, left on even ones."""
    left, right = 28 * PT_PER_MM, (210 - 26) * PT_PER_MM
    pitch = 225 * PT_PER_MM / 22
    pages = _lines(pdf)
    body = [line for page in pages[:6] for line in page]
    assert abs(min(x0 for x0, _, _ in body) - left) < 1.5
    full = [x1 for _, x1, _ in body if abs(x1 - right) < 1.5]  # justified lines end at the margin
    assert len(full) > 30
    assert max(x1 for _, x1, _ in body) < right + 17  # at most a hanging 。 or ，
    gaps = [b[2] - a[2] for page in pages[:6] for a, b in zip(page, page[1:], strict=False)
            if 0 < b[2] - a[2] < 1.5 * pitch]
    assert len(gaps) > 40 and sum(abs(g - pitch) < 0.5 for g in gaps) / len(gaps) > 0.9
    for number, page in enumerate(pages[:6], start=1):
        x0, x1, _ = max(page, key=lambda line: line[2])  # the lowest line: the page number
        if number % 2:
            assert abs(x1 - (right - 14)) < 2, number  # 一字 (4号, 14 pt) in from the outer edge
        else:
            assert abs(x0 - (left + 14)) < 2, number
