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
    assert lines and len("".join(lines[0].split())) <= 28  # 28 characters a line
    sheet = "".join(_pdf_text(out / "ranking.pdf").split())
    assert "市发展改革委" in sheet and "逾期未完成" in sheet and "第1页" in sheet
