"""The worker pool: a crash, a memory hog or a hang costs only its own input; workers are reused."""

from __future__ import annotations

import resource
import signal

import pytest
from fixtures_returns import standard_return, write_xlsx
from hostile_workers import die_at_start, limits_here, misbehave, pid

from pipeline.dates import parse_quarter
from pipeline.ingest import intake as intake_mod
from pipeline.ingest import read_returns
from pipeline.ingest.isolation import Failure, Limits, map_isolated

Q = parse_quarter("2020Q3")


def _run(kinds, **kw):
    return dict(map_isolated(misbehave, [(k,) for k in kinds], **kw))


def test_each_failure_is_pinned_on_its_own_input_and_the_rest_go_on():
    kinds = ["a", "abort", "b", "exit", "hog", "raise", "unpicklable", "c"]
    got = _run(kinds, workers=2, limits=Limits(memory=512 * 1024 ** 2, seconds=60))
    assert [got[i] for i in (0, 2, 7)] == ["aa", "bb", "cc"]
    assert got[1] == Failure("crashed", "signal SIGABRT")
    assert got[3] == Failure("crashed", "exit code 3")
    assert got[4].kind == "memory"
    assert got[5] == Failure("error", "ValueError: 坏文件")
    assert got[6].kind == "error" and "pickle" in got[6].detail


def test_a_hang_is_killed_at_the_time_limit():
    got = _run(["hang", "a", "b"], workers=1, limits=Limits(wall=0.5))
    assert got == {0: Failure("timeout", "wall 0.5 s"), 1: "aa", 2: "bb"}


def test_cpu_time_not_clock_time_is_the_limit_for_work():
    got = _run(["spin", "a"], workers=1, limits=Limits(seconds=0.3, wall=600))
    assert got == {0: Failure("timeout", "cpu 0.3 s"), 1: "aa"}


def test_workers_are_reused_across_inputs():
    pids = dict(map_isolated(pid, [(i,) for i in range(30)], workers=2))
    assert len(pids) == 30 and len(set(pids.values())) <= 2


def test_a_crashed_worker_is_replaced():
    kinds = ["a"] * 5 + ["abort"] + ["b"] * 5
    got = _run(kinds, workers=1)
    assert [got[i] for i in range(11) if i != 5] == ["aa"] * 5 + ["bb"] * 5


def test_inputs_sent_ahead_to_a_worker_that_dies_are_read_by_the_next():
    # Each worker is sent the input after its current one; a death or a timeout costs only the
    # current input, the one queued behind it goes to the fresh worker.
    got = _run(["abort", "a", "exit", "b", "hang", "c"], workers=1, limits=Limits(wall=0.5))
    assert got == {0: Failure("crashed", "signal SIGABRT"), 1: "aa", 2: Failure("crashed", "exit code 3"),
                   3: "bb", 4: Failure("timeout", "wall 0.5 s"), 5: "cc"}


def test_a_worker_that_dies_starting_up_fails_each_input_once():
    signal.alarm(60)  # a retry loop would hang the suite
    try:
        got = dict(map_isolated(misbehave, [("a",), ("b",), ("c",)], workers=2, initializer=die_at_start))
    finally:
        signal.alarm(0)
    assert sorted(got) == [0, 1, 2]
    assert all(isinstance(v, Failure) and v.kind == "crashed" for v in got.values())


def test_workers_run_under_a_memory_cap_and_without_core_dumps():
    (soft, core), = dict(map_isolated(limits_here, [(0,)], workers=1)).values()
    assert soft != resource.RLIM_INFINITY and core == 0


def test_no_inputs_start_no_workers():
    assert list(map_isolated(misbehave, [], workers=4)) == []


def test_a_file_that_takes_too_long_is_rejected(tmp_path, ref, monkeypatch):
    """A read that runs past the CPU limit is ended by the limit, and the file rejected for it.
    The reader spins on that file (a big file read fast enough on a quick machine finished
    before the limit was first looked at, and the test then failed there)."""
    import time

    folder = tmp_path / "2020Q3"
    folder.mkdir()
    write_xlsx(folder / "陕州区.xlsx", standard_return(ref, "shanzhou"))
    write_xlsx(folder / "灵宝市.xlsx", standard_return(ref, "lingbao"))
    reader = intake_mod._read_in_worker

    def slow(source, name, quarter):  # run in the forked worker
        if name == "灵宝市.xlsx":
            end = time.process_time() + 60
            while time.process_time() < end:
                pass
        return reader(source, name, quarter)

    monkeypatch.setattr(intake_mod, "_read_in_worker", slow)
    intake = read_returns(folder, ref, Q, workers=1, limits=Limits(seconds=0.05))
    led = intake.files.set_index("file")
    assert led.at["灵宝市.xlsx", "state"] == "rejected" and "秒" in led.at["灵宝市.xlsx", "reason"]
    assert led.at["陕州区.xlsx", "state"] == "accepted"
    assert intake.issues.loc[intake.issues["file"] == "灵宝市.xlsx", "code"].tolist() == ["file-unsafe"]


@pytest.mark.parametrize("workers", [0, 1, 2])
def test_every_worker_count_gives_the_same_intake(tmp_path, ref, workers):
    folder = tmp_path / "2020Q3"
    for unit in ("lingbao", "shanzhou", "yima"):
        write_xlsx(folder / f"{ref.unit_name(unit)}.xlsx", standard_return(ref, unit))
    (folder / "坏.xlsx").write_bytes(b"PK\x03\x04broken")
    base = read_returns(folder, ref, Q, workers=0)
    got = read_returns(folder, ref, Q, workers=workers)
    for table in ("files", "task_progress", "domain_progress", "issues"):
        assert getattr(got, table).equals(getattr(base, table)), table


def test_workers_0_parses_in_this_process(tmp_path, ref, monkeypatch):
    folder = tmp_path / "2020Q3"
    write_xlsx(folder / "灵宝市.xlsx", standard_return(ref))
    calls = []
    real = intake_mod.read_return
    monkeypatch.setattr(intake_mod, "read_return", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    read_returns(folder, ref, Q, workers=0)
    assert len(calls) == 1
