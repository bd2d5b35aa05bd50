"""反馈/ at scale: above SPLIT_FROM workbooks a forked child writes every other one; the set is
the same, byte for byte, and a child that fails is its error, not a silently missing half."""

from __future__ import annotations

import multiprocessing
import os

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
    parent = os.getpid()

    def write(part):
        if os.getpid() != parent:
            raise OSError("磁盘已满")
        (tmp_path / "parent").write_text(str(part))

    with pytest.raises(OSError, match="磁盘已满"):  # the child's own error, raised here
        feedback.in_two([0, 1, 2, 3], write)
    assert (tmp_path / "parent").read_text() == "[0, 2]"  # its own half was written


def test_a_child_killed_without_an_answer_is_an_error(tmp_path, monkeypatch):
    from pipeline.processes import ForkedError

    monkeypatch.setattr(feedback, "SPLIT_FROM", 2)
    parent = os.getpid()

    def write(part):
        if os.getpid() != parent:
            os._exit(9)  # as if killed: no answer at all

    with pytest.raises(ForkedError, match="退出码 9"):
        feedback.in_two([0, 1, 2, 3], write)


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
