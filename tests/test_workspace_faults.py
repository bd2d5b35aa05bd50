"""Runs under faults: a full disk, a read-only workspace, a killed run, the user's umask.
Every fault ends in exit code 3 and a Chinese sentence naming the path, never a traceback; a
killed run leaves no worker process behind; outputs are as readable as the user's umask says."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures_returns import standard_return, write_xlsx

from pipeline.cli import main
from pipeline.errors import EXIT_WORKSPACE, os_error_in, workspace_error

Q = "2020Q3"
TESTS = Path(__file__).parent


def small_workspace(root: Path, ref) -> Path:
    folder = root / "inputs" / Q
    folder.mkdir(parents=True, exist_ok=True)
    write_xlsx(folder / "灵宝市.xlsx", standard_return(ref, "lingbao"))
    write_xlsx(folder / "湖滨区.xlsx", standard_return(ref, "hubin"))
    return root


# ---- the message path -----------------------------------------------------------------------
@pytest.mark.parametrize(("code", "words"), [
    (errno.ENOSPC, "磁盘空间不足"), (errno.EROFS, "只读"), (errno.EACCES, "没有权限"), (errno.EPERM, "没有权限")])
def test_each_fault_is_a_sentence_naming_the_path(code, words):
    error = workspace_error(OSError(code, os.strerror(code), "/srv/zwgk/outputs/2020Q3/通报.docx"))
    assert error.exit_code == EXIT_WORKSPACE
    assert words in str(error) and "“/srv/zwgk/outputs/2020Q3/通报.docx”" in str(error)
    assert "重新运行" in str(error)


def test_temporary_names_are_named_as_the_user_knows_them():
    error = workspace_error(OSError(errno.ENOSPC, "No space",
                                    "/w/outputs/.2020Q3.123.ab_x9.tmp/data/.scores.k2j.parquet.tmp"))
    assert "“/w/outputs/2020Q3/data”" in str(error)
    error = workspace_error(OSError(errno.EROFS, "Read-only", "/w/outputs/.2020Q3.123.ab_x9.tmp"))
    assert "“/w/outputs/2020Q3”" in str(error)


def test_wrapped_os_errors_are_found():
    from xlsxwriter.exceptions import FileCreateError

    wrapped = FileCreateError(OSError(errno.ENOSPC, "No space left on device", "/w/a.xlsx"))
    assert os_error_in(wrapped).errno == errno.ENOSPC
    arrow = OSError("[errno 28] Error writing bytes to file")  # pyarrow: errno only in the text
    assert os_error_in(arrow).errno == errno.ENOSPC
    try:
        try:
            raise OSError(errno.EROFS, "Read-only file system", "/w/b")
        except OSError as exc:
            raise RuntimeError("while writing") from exc
    except RuntimeError as chained:
        assert os_error_in(chained).errno == errno.EROFS
    assert os_error_in(OSError(errno.ENOENT, "missing")) is None  # not a workspace fault
    assert os_error_in(ValueError("x")) is None


def test_the_cli_turns_a_fault_into_exit_3_without_a_traceback(tmp_path, ref, monkeypatch):
    from xlsxwriter.exceptions import FileCreateError

    import pipeline.run as run

    def full(*args, **kwargs):
        raise FileCreateError(OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x.xlsx")))

    monkeypatch.setattr(run, "run_quarter", full)
    result = CliRunner().invoke(main, ["run", Q, "-w", str(small_workspace(tmp_path, ref))])
    assert result.exit_code == 3, result.output
    assert "磁盘空间不足" in result.output and str(tmp_path / "x.xlsx") in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_a_missing_quarter_folder_is_the_same_usage_error_in_run_and_check(tmp_path):
    for command in ("run", "check"):
        result = CliRunner().invoke(main, [command, "2031Q1", "-w", str(tmp_path)])
        assert result.exit_code == 2, (command, result.output)


# ---- a real full disk and a read-only workspace ---------------------------------------------
@contextlib.contextmanager
def tmpfs(path: Path, size: str):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_a_full_disk_is_exit_3_with_the_path(tmp_path, ref):
    with tmpfs(tmp_path / "disk", "160k") as disk:
        small_workspace(disk, ref)
        result = CliRunner().invoke(main, ["run", Q, "-w", str(disk)])
        assert result.exit_code == 3, result.output
        assert "磁盘空间不足" in result.output and str(disk / "outputs") in result.output
        assert "Traceback" not in result.output
        assert not [p for p in (disk / "outputs").iterdir() if p.name.startswith(f".{Q}.")]  # no stage left


def test_a_read_only_workspace_is_exit_3_in_every_command(tmp_path, ref):
    with tmpfs(tmp_path / "disk", "4m") as disk:
        small_workspace(disk, ref)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        for args in (["run", Q], ["check", Q], ["status", Q],
                     ["receive", str(disk / "inputs" / Q / "灵宝市.xlsx"), "--quarter", "2020Q4"]):
            result = CliRunner().invoke(main, [*args, "-w", str(disk)])
            assert result.exit_code == 3, (args, result.output)
            assert "只读" in result.output and "Traceback" not in result.output, args


# ---- modes ----------------------------------------------------------------------------------
@contextlib.contextmanager
def umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize(("mask", "file_mode", "dir_mode"), [(0o022, 0o644, 0o755), (0o002, 0o664, 0o775)])
def test_outputs_follow_the_umask(tmp_path, ref, mask, file_mode, dir_mode):
    root = small_workspace(tmp_path, ref)
    src = tmp_path / "陕州区.xlsx"
    write_xlsx(src, standard_return(ref, "shanzhou"))
    with umask(mask):
        assert CliRunner().invoke(main, ["receive", str(src), "--date", "2020-09-18", "--quarter", Q,
                                         "-w", str(root)]).exit_code == 0
        assert CliRunner().invoke(main, ["run", Q, "-w", str(root)]).exit_code == 0
        assert CliRunner().invoke(main, ["remind", Q, "-w", str(root)]).exit_code == 0
    out = root / "outputs" / Q
    written = [out, *out.rglob("*"), root / "inputs" / Q / "陕州区.xlsx", root / "inputs" / Q / "收文登记.csv"]
    modes = {p.relative_to(root).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in written}
    expected = {k: dir_mode if (root / k).is_dir() else file_mode for k in modes}
    assert modes == expected


# ---- a killed run ---------------------------------------------------------------------------
_SLOW_RUN = """
import os, sys, time
sys.path.insert(0, {tests!r})
import pipeline.ingest.intake as intake

def slow(path, name, quarter):  # a reader that takes its time: the run is killed meanwhile
    open(os.path.join({pids!r}, str(os.getpid())), "w").close()
    time.sleep(300)

intake._read_in_worker = slow
sys.argv = ["zwgk", "run", {q!r}, "-w", {root!r}]
from pipeline.cli import entry
entry()
"""


def _children(pid: int) -> set[int]:
    found = set()
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.add(int(stat_file.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; it only waits to be reaped


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_run_leaves_no_worker_behind(tmp_path, ref):
    root = small_workspace(tmp_path / "ws", ref)
    for unit in ("shanzhou", "yima", "mianchi"):
        write_xlsx(root / "inputs" / Q / f"{unit}.xlsx", standard_return(ref, unit))
    pids = tmp_path / "pids"
    pids.mkdir()
    code = _SLOW_RUN.format(tests=str(TESTS), pids=str(pids), q=Q, root=str(root))
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=TESTS.parent,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: set[int] = set()
    try:
        for _ in range(600):  # until the readers are at work (bounded: the test never hangs)
            if len(list(pids.iterdir())) >= 2 or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert proc.poll() is None, "the run ended before it was killed"
        children = _children(proc.pid)
        readers = {int(p.name) for p in pids.iterdir()}
        assert readers <= children and len(children) >= 3  # the readers and the chart process
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for _ in range(100):
            if not any(_alive(pid) for pid in children):
                break
            time.sleep(0.1)
        assert [pid for pid in children if _alive(pid)] == []
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in children:  # survivors of a failed assertion must not outlive the test
            if _alive(pid):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)


_KILLED_WRITING = """
import os, signal, sys
sys.path.insert(0, {tests!r})
import pipeline.render.workbook as rw
from pipeline import run_quarter

def dying(result, path):
    os.kill(os.getpid(), signal.SIGKILL)

rw.render_ranking_workbook = dying
run_quarter({root!r}, {q!r})
"""


def test_the_next_run_removes_the_staging_of_a_killed_one(tmp_path, ref):
    root = small_workspace(tmp_path, ref)
    code = _KILLED_WRITING.format(tests=str(TESTS), root=str(root), q=Q)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=300, cwd=TESTS.parent)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    assert [p for p in (root / "outputs").iterdir() if p.name.startswith(f".{Q}.")]  # left behind
    assert CliRunner().invoke(main, ["run", Q, "-w", str(root)]).exit_code == 0
    assert sorted(p.name for p in (root / "outputs").iterdir() if not p.name.startswith(".cache")) == [Q]
