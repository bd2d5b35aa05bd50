"""notebooks/分析示例.ipynb runs top to bottom (nbclient) against the demo workspace."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from pipeline.run import run_demo
from pipeline.workspace import Workspace

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "分析示例.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory, ref):
    root = tmp_path_factory.mktemp("nb")
    for _ in run_demo(Workspace(root), ref):
        pass
    nb = nbformat.read(NOTEBOOK, as_version=4)
    mp = pytest.MonkeyPatch()
    mp.setenv("ZWGK_WORKSPACE", str(root))
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    finally:
        mp.undo()
    return nb


def _outputs(nb, kind):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if o.get("output_type") == kind]


def test_runs_without_errors(executed):
    assert not _outputs(executed, "error")


def _tables(nb):
    return [o["data"].get("text/plain", "") for o in _outputs(nb, "execute_result")]


def test_lists_the_overdue_task_of_the_story(executed):
    overdue = next(t for t in _tables(executed) if "时间进度" in t)
    assert "卢氏县" in overdue and "2020年5月底" in overdue  # task 2, never done (demo story)


def test_tables_show_chinese_labels_not_codes(executed):
    shown = "\n".join(_tables(executed))
    assert "基层政府" in shown and "逾期未完成" in shown and "任务逾期未完成" in shown
    for code in ("base", "dept", "overdue", "on_time", "overdue_task", "lushi", "True"):
        assert code not in shown, code


def test_draws_the_trend_chart(executed):
    images = [o for o in _outputs(executed, "display_data") if "image/png" in o.get("data", {})]
    assert len(images) == 1


def test_no_warnings_on_stderr(executed):
    # A missing CJK glyph shows up as a matplotlib UserWarning on the kernel's stderr.
    err = [o["text"] for o in _outputs(executed, "stream") if o.get("name") == "stderr"]
    assert not err, err
