"""End to end: text from returns that looks like a formula stays text in every output; outputs
are written atomically, a re-run gives the same content, and inputs are never modified."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fixtures_returns import standard_return
from lxml import etree

from pipeline import run_quarter
from pipeline.check import ISSUE_LIST, check_quarter, write_issue_list
from pipeline.dates import parse_quarter
from pipeline.outputs import csv_safe, neutralise, staged_dir

Q = "2020Q3"
INJECTIONS = ['=HYPERLINK("http://x","点击")', "=1+1", "@SUM(A1)", "+cmd|' /C calc'!A0"]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def write_text_xlsx(path: Path, sheets: dict) -> Path:
    """Write every string as a string cell: what a unit gets by typing '=1+1 (or pasting text)
    into Excel. (openpyxl would store a leading '=' as a formula instead.)"""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    if value:
                        ws.write_string(r, c, value)
                elif value is not None:
                    ws.write(r, c, value)
        if name.startswith("_"):
            ws.hide()
    wb.close()
    return path


def _tasks(ref, unit_id):
    """Injections in 进展情况 and 存在问题 of two tasks, as a status word and as a date."""
    ids = list(ref.assignments.loc[ref.assignments["unit_id"] == unit_id, "task_id"])
    return {ids[0]: {"进展情况": INJECTIONS[0], "存在问题及下一步措施": INJECTIONS[1]},
            ids[1]: {"进展情况": INJECTIONS[2], "存在问题及下一步措施": INJECTIONS[3]},
            ids[2]: {"完成状态": INJECTIONS[1]},
            ids[3]: {"完成状态": "已完成", "完成时间": INJECTIONS[2]}}


def build_workspace(root: Path, ref) -> Path:
    q = root / "inputs" / Q
    write_text_xlsx(q / "灵宝市.xlsx", standard_return(
        ref, "lingbao", tasks=_tasks(ref, "lingbao"),
        domains={1: {"公开网址": INJECTIONS[0], "备注": INJECTIONS[3]}}))
    write_text_xlsx(q / "陕州区.xlsx", standard_return(ref, "shanzhou", unit=INJECTIONS[0], meta=False,
                                                      tasks=_tasks(ref, "shanzhou")))
    write_text_xlsx(q / "=1+1.xlsx", standard_return(ref, "yima", unit=INJECTIONS[3], meta=False))
    return root


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, ref):
    root = build_workspace(tmp_path_factory.mktemp("inject"), ref)
    inputs_before = _digests(root / "inputs")
    run_quarter(root, Q, ref)
    report = check_quarter(root / "inputs" / Q, ref, parse_quarter(Q))
    write_issue_list(report, root / "outputs" / Q / ISSUE_LIST)
    return root, inputs_before


def _xlsx_outputs(root: Path) -> list[Path]:
    return sorted((root / "outputs" / Q).rglob("*.xlsx"))


def test_every_kind_of_output_was_written(workspace):
    root, _ = workspace
    names = {p.relative_to(root / "outputs" / Q).as_posix() for p in _xlsx_outputs(root)}
    assert {f"通报_{Q}.xlsx", ISSUE_LIST, "反馈/灵宝市.xlsx", "反馈/陕州区.xlsx"} <= names
    assert (root / "outputs" / Q / f"通报_{Q}.docx").exists()


def test_no_output_workbook_holds_a_formula_or_a_link(workspace):
    root, _ = workspace
    for path in _xlsx_outputs(root):
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            assert not ws._hyperlinks, (path.name, ws.title)
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, ws.title, cell.coordinate, cell.value)
                    assert cell.hyperlink is None, (path.name, ws.title, cell.coordinate)
        with zipfile.ZipFile(path) as z:  # nor an external link part openpyxl might not show
            assert not [n for n in z.namelist() if "externalLink" in n], path.name


def test_the_injected_text_reaches_the_workbooks_as_text(workspace):
    root, _ = workspace
    texts = [cell.value for path in _xlsx_outputs(root)
             for ws in openpyxl.load_workbook(path).worksheets
             for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)]
    for text in INJECTIONS:  # echoed in the issue messages (status, date, unit as written)
        assert any(text in t for t in texts), text
    assert "=1+1.xlsx" in texts  # a file name that looks like a formula, as a string cell


def test_the_bulletin_docx_has_no_field_or_link_from_the_returns(workspace):
    root, _ = workspace
    with zipfile.ZipFile(root / "outputs" / Q / f"通报_{Q}.docx") as z:
        parts = {n: z.read(n) for n in z.namelist() if n.endswith((".xml", ".rels"))}
    fields = []
    for name, data in parts.items():
        if not name.startswith("word/") or not name.endswith(".xml"):
            continue
        tree = etree.fromstring(data)
        fields += [e.text or "" for e in tree.iter(f"{W}instrText")]
        fields += [e.get(f"{W}instr", "") for e in tree.iter(f"{W}fldSimple")]
        assert not list(tree.iter(f"{W}hyperlink")), name
    assert all(f.strip() in ("PAGE", "NUMPAGES") for f in fields), fields
    assert not any(b"http://x" in v for n, v in parts.items() if n.endswith(".rels"))
    text = "".join(etree.fromstring(parts["word/document.xml"]).itertext())
    assert INJECTIONS[0] in text and INJECTIONS[3] in text  # shown, as plain text


def _csv_cells(path: Path):
    for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))):
        yield from row


def test_csv_cells_that_would_start_a_formula_are_neutralised(workspace):
    root, _ = workspace
    data = root / "outputs" / Q / "data"
    cells = [c for p in sorted(data.glob("*.csv")) for c in _csv_cells(p)]
    for cell in cells:
        if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
            float(cell)  # only a plain number may start so; anything else raises here
    notes = set(_csv_cells(data / "task_progress.csv"))
    for text in INJECTIONS:
        assert "'" + text in notes and text not in notes
    # the parquet tables keep the text exactly as the unit wrote it
    tp = pd.read_parquet(data / "task_progress.parquet")
    assert set(INJECTIONS[:3:2]) <= set(tp["note"].dropna())


def test_neutralise_rules():
    assert [neutralise(v) for v in ["=1+1", "+1+cmd", "-2+3", "@SUM(A1)", "\t=1", "-3", "+4.5",
                                    "-", "正常文本", 3, None]] == \
        ["'=1+1", "'+1+cmd", "'-2+3", "'@SUM(A1)", "'\t=1", "-3", "+4.5", "'-", "正常文本", 3, None]
    frame = pd.DataFrame({"s": pd.Series(["=1", None], dtype="string"), "c": pd.Categorical(["@x", "y"]),
                          "n": [-1, 2]})
    out = csv_safe(frame)
    assert out["s"].tolist()[0] == "'=1" and out["c"].tolist() == ["'@x", "y"] and out["n"].tolist() == [-1, 2]
    assert frame["s"].tolist()[0] == "=1"  # the input is not modified


def test_inputs_are_byte_identical_after_run_and_check(workspace):
    root, before = workspace
    assert _digests(root / "inputs") == before


def _xlsx_values(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def test_a_rerun_on_the_same_inputs_gives_the_same_content(workspace, ref, tmp_path):
    root, _ = workspace
    again = tmp_path / "again"
    shutil.copytree(root / "inputs", again / "inputs")
    run_quarter(again, Q, ref)
    a, b = root / "outputs" / Q, again / "outputs" / Q
    for csv_path in sorted((a / "data").glob("*.csv")):
        assert csv_path.read_bytes() == (b / "data" / csv_path.name).read_bytes(), csv_path.name
    for parquet in sorted((a / "data").glob("*.parquet")):
        pd.testing.assert_frame_equal(pd.read_parquet(parquet), pd.read_parquet(b / "data" / parquet.name))
    for path in _xlsx_outputs(root):
        rel = path.relative_to(a)
        if rel.as_posix() == ISSUE_LIST:
            continue  # written by `check`, not by run
        assert _xlsx_values(path) == _xlsx_values(b / rel), rel
    docx = f"通报_{Q}.docx"
    assert (a / docx).read_bytes() == (b / docx).read_bytes()


# --- a run that dies midway ---------------------------------------------------------------
_KILL_MIDWAY = """
import os, signal, sys
sys.path.insert(0, {tests!r})
import pipeline.render.workbook as rw
from pipeline import run_quarter

def dying(result, path):
    with open(path, "wb") as f:   # half a workbook, then the process is killed outright
        f.write(b"PK\\x03\\x04 half written")
    os.kill(os.getpid(), signal.SIGKILL)

rw.render_ranking_workbook = dying
run_quarter({root!r}, {q!r})
"""


def test_a_run_killed_midway_leaves_every_output_whole(workspace, ref, tmp_path):
    """Killed while writing 通报.xlsx (after data/ was written): the run writes into a staging
    folder, so outputs/<Q>/ is exactly the previous set — no file new, none cut short."""
    root, _ = workspace
    work = tmp_path / "work"
    shutil.copytree(root, work)
    previous = _digests(work / "outputs" / Q)
    # change one input, so that new outputs differ from the previous ones
    lingbao = work / "inputs" / Q / "灵宝市.xlsx"
    write_text_xlsx(lingbao, standard_return(ref, "lingbao", status="已完成"))
    code = _KILL_MIDWAY.format(tests=str(Path(__file__).parent), root=str(work), q=Q)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=300,
                          cwd=Path(__file__).parent.parent)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    assert _digests(work / "outputs" / Q) == previous
    # The run got as far as the tables: they are complete in the abandoned staging folder.
    (stage,) = [p for p in (work / "outputs").iterdir() if p.name.startswith(f".{Q}.")]
    assert _digests(stage / "data") and all(
        _assert_complete(p) is None for p in (stage / "data").glob("*.csv"))


def _assert_complete(path: Path) -> None:
    data = path.read_bytes()
    if path.suffix == ".csv":
        pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
        assert data.endswith(b"\n"), path.name
    elif path.suffix == ".parquet":
        pd.read_parquet(path)
    elif path.suffix == ".png":
        assert data.startswith(b"\x89PNG") and data[-8:-4] == b"IEND", path.name
    elif path.suffix in (".xlsx", ".docx"):
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None, path.name


def test_a_renderer_that_raises_leaves_the_previous_bulletin(workspace, ref, tmp_path, monkeypatch):
    import pipeline.run as run_module

    root, _ = workspace
    work = tmp_path / "work"
    shutil.copytree(root, work)
    previous = _digests(work / "outputs" / Q)

    def broken(result, path):
        Path(path).write_bytes(b"PK\x03\x04 partial")
        raise RuntimeError("渲染失败")

    monkeypatch.setattr(run_module, "render_ranking_workbook", broken)  # the name run.py calls
    with pytest.raises(RuntimeError):
        run_quarter(work, Q, ref)
    after = _digests(work / "outputs" / Q)
    assert after == previous  # same inputs: everything rewritten so far is identical, the rest untouched
    assert not [p for p in (work / "outputs" / Q).rglob("*.tmp")]


def test_a_check_set_that_fails_in_its_child_fails_the_run(workspace, ref, tmp_path, monkeypatch):
    """The check set is written in a forked child while the bulletin set is rendered: its
    failure is the run's (the child's own error), and the previous outputs stay whole."""
    import pipeline.run as run_module

    root, _ = workspace
    work = tmp_path / "work"
    shutil.copytree(root, work)
    previous = _digests(work / "outputs" / Q)
    parent = os.getpid()

    def broken(report, out_dir, today=None, cache_dir=None):
        (Path(out_dir) / ISSUE_LIST).write_bytes(b"PK\x03\x04 partial")
        raise OSError(f"磁盘已满（进程 {'子' if os.getpid() != parent else '主'}）")

    monkeypatch.setattr(run_module, "write_check_set", broken)  # the name run.py calls
    forks = run_module.can_fork()
    with pytest.raises(OSError, match="磁盘已满（进程 子）" if forks else "磁盘已满"):
        run_quarter(work, Q, ref)
    assert _digests(work / "outputs" / Q) == previous
    assert not [p for p in (work / "outputs" / Q).rglob("*.tmp")]


def test_the_check_set_child_may_split_the_feedback_in_turn(workspace, ref, tmp_path, monkeypatch):
    """At scale the check set's child forks a second feedback writer: the run's feedback is the
    same set, byte for byte, as written in one process."""
    from pipeline.render import feedback

    root, _ = workspace
    work = tmp_path / "work"
    shutil.copytree(root, work)
    run_quarter(work, Q, ref)
    whole = _digests(work / "outputs" / Q / feedback.FEEDBACK_DIR)
    monkeypatch.setattr(feedback, "SPLIT_FROM", 2)
    run_quarter(work, Q, ref)
    assert len(whole) >= feedback.SPLIT_FROM and _digests(work / "outputs" / Q / feedback.FEEDBACK_DIR) == whole


def test_staged_dir_swaps_a_whole_set_or_nothing(tmp_path):
    """Only what `keep` names survives from the old set: an old 问题清单 that the new set does
    not rewrite is gone (it would describe inputs that may have changed)."""
    out = tmp_path / "outputs" / Q
    (out / "templates").mkdir(parents=True)
    (out / "templates" / "t.xlsx").write_text("template")
    (out / "a.csv").write_text("old")
    (out / ISSUE_LIST).write_text("from check")
    with pytest.raises(RuntimeError), staged_dir(out) as stage:
        (stage / "a.csv").write_text("new")
        raise RuntimeError("midway")
    assert (out / "a.csv").read_text() == "old"
    with staged_dir(out, keep=["templates"]) as stage:
        (stage / "a.csv").write_text("new")
        (stage / "b.csv").write_text("new")
        assert (out / "a.csv").read_text() == "old"  # nothing visible until the end
    assert {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*") if p.is_file()} == {
        "a.csv": "new", "b.csv": "new", "templates/t.xlsx": "template"}
    assert sorted(p.name for p in out.parent.iterdir()) == [Q]  # no stage or old folder left
    assert os.listdir(out.parent) == [Q]


def _dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_leftovers_of_killed_runs_are_tidied(tmp_path):
    """A staging folder of a run that no longer lives goes, however young; one of a live run
    stays; one without a pid goes once stale; a set moved aside by a run killed between its two
    renames is put back in place, and its pid's other leftovers go."""
    out = tmp_path / "outputs" / Q
    dead, alive = _dead_pid(), os.getppid()
    killed = tmp_path / "outputs" / f".{Q}.{dead}.abc123.tmp"
    running = tmp_path / "outputs" / f".{Q}.{alive}.def456.tmp"
    stale, young = tmp_path / "outputs" / f".{Q}.ghi789.tmp", tmp_path / "outputs" / f".{Q}.jkl012.tmp"
    aside = tmp_path / "outputs" / f".{Q}.old-{dead}"
    for folder in (killed, running, stale, young, aside):
        folder.mkdir(parents=True)
    (aside / "a.csv").write_text("previous set")
    long_ago = time.time() - 2 * 3600
    os.utime(stale, (long_ago, long_ago))
    with staged_dir(out, keep=["a.csv"]) as stage:
        assert (out / "a.csv").read_text() == "previous set"  # back in place before the new set
        (stage / "b.csv").write_text("new")
    assert not killed.exists() and not stale.exists() and not aside.exists()
    assert running.exists() and young.exists()
    assert {p.name for p in out.iterdir()} == {"a.csv", "b.csv"}
