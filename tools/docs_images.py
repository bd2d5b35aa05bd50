"""Make the README's pictures from the demo: the 通报's first page and its ranking chart.

    make docs-images        (needs LibreOffice and poppler-utils: make sysdeps)

Runs the demo in a temporary workspace, renders the last demo quarter's 通报 with its 成文日期
set to the quarter's due date (so that the pictures do not change from day to day), converts
it to PDF with pipeline.render.pdf and writes docs/images/通报_首页.png and 排名图.png.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pipeline.reference import load_reference
from pipeline.render.bulletin_docx import render_bulletin_docx
from pipeline.render.pdf import to_pdf
from pipeline.run import run_demo
from pipeline.workspace import Workspace

OUT = Path(__file__).resolve().parents[1] / "docs" / "images"


def main() -> int:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="zwgk-docs-") as tmp:
        root = Path(tmp)
        *_, (result, paths) = run_demo(Workspace(root), load_reference())
        charts = {p.stem: p for p in paths["charts"].glob("*.png")}
        docx = render_bulletin_docx(result, root / "通报.docx", charts, date=result.as_of)
        (pdf,) = to_pdf([docx], root)
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(root / "page")], check=True)
        shutil.copyfile(root / "page.png", OUT / "通报_首页.png")
        shutil.copyfile(charts["ranking_dept"], OUT / "排名图.png")
    print(f"已生成 {OUT / '通报_首页.png'}、{OUT / '排名图.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
