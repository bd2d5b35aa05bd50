"""The forked chart process: it draws what it is sent, reports what went wrong there, and never
outlives the run."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from render_fixture import make_result

from pipeline.chart_process import ChartProcess, ChartProcessError, for_charts
from pipeline.render import charts as charts_module

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods()
                                or (os.cpu_count() or 1) < 2, reason="needs fork and two CPUs")


@pytest.fixture(scope="module")
def result(ref):
    return make_result(ref)


def test_draws_the_same_charts_as_this_process(result, tmp_path):
    charts = ChartProcess.start()
    charts.draw(result, tmp_path / "forked")
    got = charts.wait()
    here = charts_module.render_charts(result, tmp_path / "here")
    assert list(got) == list(here)  # same keys, same order
    assert {k: p.read_bytes() for k, p in got.items()} == {k: p.read_bytes() for k, p in here.items()}


def test_charts_begun_early_are_the_same_and_land_where_draw_says(result, tmp_path):
    charts = ChartProcess.start()
    charts.begin(result)  # drawn into the child's scratch folder while the run goes on
    charts.draw(result, tmp_path / "staged" / "charts")
    got = charts.wait()
    here = charts_module.render_charts(result, tmp_path / "here")
    assert list(got) == list(here)
    assert all(p.parent == tmp_path / "staged" / "charts" for p in got.values())
    assert {k: p.read_bytes() for k, p in got.items()} == {k: p.read_bytes() for k, p in here.items()}


def test_half_the_charts_are_drawn_by_a_sibling_each_once(result, tmp_path, monkeypatch):
    from pipeline import chart_process

    log = tmp_path / "drawn.log"
    draw = charts_module.render_charts

    def logged(res, out_dir, only=None):
        paths = draw(res, out_dir, only=only)
        with open(log, "a") as f:  # forked: the chart process and its sibling log here too
            f.writelines(f"{os.getpid()} {key}\n" for key in paths)
        return paths

    monkeypatch.setattr(charts_module, "render_charts", logged)
    charts = ChartProcess.start()
    charts.begin(result)
    charts.draw(result, tmp_path / "charts")
    got = charts.wait()
    by_key = dict(reversed(line.split()) for line in log.read_text().splitlines())
    assert sorted(by_key) == sorted(got) and len(log.read_text().splitlines()) == len(got)  # each once
    assert set(chart_process.SECOND_HALF) < set(charts_module.CHART_KEYS)
    second = {by_key[k] for k in chart_process.SECOND_HALF if k in got}
    first = {by_key[k] for k in got if k not in chart_process.SECOND_HALF}
    assert len(second) == 1 and len(first) == 1 and second != first
    assert str(charts.proc.pid) in first  # the chart process itself drew the other half


def test_an_error_in_charts_begun_early_is_raised_at_wait(result, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("图表数据有误")

    monkeypatch.setattr(charts_module, "render_charts", broken)
    charts = ChartProcess.start()
    charts.begin(result)
    charts.draw(result, tmp_path)
    with pytest.raises(ValueError, match="图表数据有误"):
        charts.wait()
    assert not list(tmp_path.iterdir())


def test_close_after_begin_ends_the_child_and_leaves_nothing(result, tmp_path):
    charts = ChartProcess.start()
    charts.begin(result)  # the run failed before its outputs: nobody asks for the charts
    charts.close()
    assert not charts.proc.is_alive()


def test_the_child_gets_the_reference_without_its_cached_views(result):
    assert len(result.reference.domain_duties) and len(result.reference.assignments)  # cached now
    sent = for_charts(result).reference
    assert "domain_duties" not in vars(sent) and "assignments" not in vars(sent)
    assert sent.units is result.reference.units and sent.level == result.reference.level


def test_an_error_in_the_child_is_raised_here(result, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("图表数据有误")

    monkeypatch.setattr(charts_module, "render_charts", broken)  # forked: the child has it too
    charts = ChartProcess.start()
    charts.draw(result, tmp_path)
    with pytest.raises(ValueError, match="图表数据有误"):
        charts.wait()


def test_a_child_that_dies_is_a_clear_error(result, tmp_path, monkeypatch):
    monkeypatch.setattr(charts_module, "render_charts", lambda *a, **k: os._exit(3))
    charts = ChartProcess.start()
    charts.draw(result, tmp_path)
    with pytest.raises(ChartProcessError, match="退出码 3"):
        charts.wait()


def test_close_without_a_result_ends_the_children():
    charts = ChartProcess.start()
    charts.close()
    assert not charts.proc.is_alive()


_KILLED = """
import os, signal, sys, time
sys.path.insert(0, {tests!r})
from pipeline.chart_process import ChartProcess
charts = ChartProcess.start()
print(charts.proc.pid, flush=True)
time.sleep(0.5)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_an_idle_child_ends_when_the_run_is_killed(tmp_path):
    """Killed before it sends a result (e.g. while reading): the waiting children notice that
    their parent is gone and exit, rather than linger."""
    code = _KILLED.format(tests=str(Path(__file__).parent))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            cwd=Path(__file__).parent.parent)
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert proc.wait(timeout=60) == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pids and not any(_alive(p) for p in pids)


def test_a_province_draws_its_charts_in_one_process(result, tmp_path, monkeypatch):
    from pipeline import chart_process

    monkeypatch.setattr(charts_module, "SCALE_UNITS", len(result.reference.units) - 1)  # "a province"
    monkeypatch.setattr(chart_process, "Forked", lambda *a, **k: pytest.fail("a second chart process"))
    drawn = chart_process._drawn(result, tmp_path)
    assert list(drawn) == [k for k in charts_module.CHART_KEYS if k in drawn] and len(drawn) >= 4
