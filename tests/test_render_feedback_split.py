"""反馈/ at scale: from SPLIT_FROM workbooks a forked child and this process take them a few at a
time until none is left; the set is the same, byte for byte, every workbook is written once, and
a child that fails is its error, not a silently missing part."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest
from render_fixture import make_result

from pipeline.render import feedback

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods()
                                or (os.cpu_count() or 1) < 2, reason="needs fork and two CPUs")


@pytest.fixture(scope="module")
def result(ref):
    return make_result(ref)


def _write(result, out):
    paths = feedback.write_feedback(out, result.reference, result.quarter, result.issues,
                                    result.reconciliation, result.ledger)
    return {p.name: p.read_bytes() for p in paths}


def test_split_writes_the_same_workbooks(result, tmp_path, monkeypatch):
    whole = _write(result, tmp_path / "one")
    assert len(whole) >= 4  # the fixture's 9 units: several workbooks
    monkeypatch.setattr(feedback, "SPLIT_FROM", 2)
    assert _write(result, tmp_path / "two") == whole
    assert sorted(p.name for p in (tmp_path / "two" / feedback.FEEDBACK_DIR).iterdir()) == sorted(whole)


def test_below_the_threshold_nothing_is_forked(monkeypatch):
    monkeypatch.setattr(feedback, "Forked", lambda *a: pytest.fail("forked"))
    seen = []
    feedback.in_two(list(range(feedback.SPLIT_FROM - 1)), seen.extend)
    assert seen == list(range(feedback.SPLIT_FROM - 1))


def test_a_failing_child_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(feedback, "SPLIT_FROM", 2)
    monkeypatch.setattr(feedback, "CHUNK", 1)
    parent = os.getpid()
    log = tmp_path / "parent"

    def write(part):
        if os.getpid() != parent:
            raise OSError("磁盘已满")
        with open(log, "a") as f:
            f.write(f"{part[0]}\n")

    with pytest.raises(OSError, match="磁盘已满"):  # the child's own error, raised here
        feedback.in_two(list(range(50)), lambda part: (write(part), time.sleep(0.01)))
    written = [int(x) for x in log.read_text().split()]
    assert len(set(written)) == len(written) and set(written) < set(range(50))  # the child's one is not


def test_each_job_is_written_once_and_first_runs_here_before_this_process_writes(tmp_path, monkeypatch):
    monkeypatch.setattr(feedback, "SPLIT_FROM", 2)
    monkeypatch.setattr(feedback, "CHUNK", 3)
    log = tmp_path / "log"

    def note(text):
        with open(log, "a") as f:
            f.write(f"{os.getpid()} {text}\n")

    feedback.in_two(list(range(100)), lambda part: [(note(j), time.sleep(0.002)) for j in part],
                    first=lambda: note("first"))
    lines = [line.split() for line in log.read_text().splitlines()]
    mine = [what for pid, what in lines if int(pid) == os.getpid()]
    assert mine[0] == "first" and mine.count("first") == 1
    jobs = sorted(int(what) for _, what in lines if what != "first")
    assert jobs == list(range(100))
    assert {int(pid) for pid, what in lines if what != "first"} - {os.getpid()}  # the child wrote some


def test_a_child_killed_without_an_answer_is_an_error(tmp_path, monkeypatch):
    from pipeline.processes import ForkedError

    monkeypatch.setattr(feedback, "SPLIT_FROM", 2)
    monkeypatch.setattr(feedback, "CHUNK", 1)
    parent = os.getpid()

    def write(part):
        if os.getpid() != parent:
            os._exit(9)  # as if killed: no answer at all
        time.sleep(0.01)  # leaves the child jobs to take

    with pytest.raises(ForkedError, match="退出码 9"):
        feedback.in_two(list(range(50)), write)


def test_a_forked_child_answers_with_its_value_and_its_niceness():
    from pipeline.processes import Forked

    mine = os.nice(0)
    assert Forked(lambda: (os.getpid(), os.nice(0)), "zwgk-test", nice=5).result()[1] == min(mine + 5, 19)
    assert Forked(lambda: os.getpid(), "zwgk-test").result() != os.getpid()


def test_a_failed_child_asked_twice_gives_the_same_error_and_reads_nothing_else(tmp_path):
    from pipeline.processes import Forked

    def fail():
        raise OSError("磁盘已满")

    child = Forked(fail, "zwgk-test")
    with pytest.raises(OSError, match="磁盘已满"):
        child.result()
    other = open(tmp_path / "x", "w")  # may take the pipe's old descriptor number
    with pytest.raises(OSError, match="磁盘已满"):
        child.result()
    assert not other.closed and other.write("ok") == 2
    other.close()
