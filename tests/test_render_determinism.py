"""Same tables, same bytes — across processes too (a different hash seed changes set and dict
order; a stray timestamp, random id or set iteration in a renderer would show up here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from render_fixture import make_result
from pipeline.reference import load_reference
from pipeline.render.bulletin_docx import render_bulletin_docx
from pipeline.render.charts import render_charts
from pipeline.render.workbook import render_ranking_workbook
out = Path(sys.argv[1])
result = make_result(load_reference())
charts = render_charts(result, out / "charts")
render_bulletin_docx(result, out / "通报.docx", charts)
render_ranking_workbook(result, out / "通报.xlsx")
"""


def _render(out: Path, seed: str) -> dict[str, bytes]:
    tests = str(Path(__file__).parent)
    env = os.environ | {"PYTHONHASHSEED": seed}
    subprocess.run([sys.executable, "-c", SCRIPT.format(tests=tests), str(out)], check=True, env=env,
                   cwd=Path(tests).parent, timeout=300)
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_two_processes_write_identical_files(tmp_path):
    a = _render(tmp_path / "a", "1")
    b = _render(tmp_path / "b", "2")
    assert len(a) == 7 and set(a) == set(b)
    assert [name for name in a if a[name] != b[name]] == []


def test_feedback_workbooks_carry_a_fixed_creation_time(ref, tmp_path):
    import zipfile

    from render_fixture import Q, make_result

    from pipeline.render.feedback import write_feedback

    result = make_result(ref)
    paths = write_feedback(tmp_path, result.reference, Q, result.issues, result.reconciliation)
    assert paths
    for path in paths:
        with zipfile.ZipFile(path) as z:
            core = z.read("docProps/core.xml").decode()
        assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2021-03-31T09:00:00Z</dcterms:created>" in core
