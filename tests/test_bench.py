"""Smoke test of `make bench`: the code runs on a tiny province and writes its table.

No timing is asserted (house rule): only that every measurement ran and was written down.
"""

import json

from pipeline.dates import parse_quarter
from pipeline.reference import load_reference
from tools.bench import bench, bench_data


def test_province_reference_has_townships_under_counties(tmp_path):
    ref = load_reference(bench_data.province_reference(40, tmp_path / "ref"))
    towns = ref.units[ref.units["unit_id"].str.startswith("t")]
    assert len(ref.reporting_units) == 40 and len(towns) == 13
    counties = set(ref.units.loc[ref.units["group"] == "base", "unit_id"]) - set(towns["unit_id"])
    assert set(towns["parent_id"]) <= counties
    assert not ref.units["short_name"].duplicated().any()


def test_unit_file_does_not_depend_on_province_size(tmp_path):
    q = parse_quarter(bench_data.QUARTER)
    small = load_reference(bench_data.province_reference(30, tmp_path / "a"))
    large = load_reference(bench_data.province_reference(45, tmp_path / "b"))
    for unit in ("t00002", "lingbao"):
        assert bench_data.unit_return(small, unit, q) == bench_data.unit_return(large, unit, q)


def test_quick_bench_writes_table(tmp_path):
    out = tmp_path / "out"
    res = bench.main(["--quick", "--out", str(out), "--corpus", str(tmp_path / "corpus"),
                      "--scales", "27,30", "--skip", "city", "--skip", "history", "--fullrun", "27",
                      "--check-vs-pandas", "27"])
    table = (out / "bench.md").read_text(encoding="utf-8")
    saved = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    assert "读取吞吐" in table and "zwgk --help" in table and "线性：30 份 / 27 份耗时" in table
    assert [r["n"] for r in saved["scale"]] == [27, 30]
    assert saved["scale"][1]["files"] == len(list((tmp_path / "corpus").glob("*scale-30/2021Q1/*.xlsx")))
    assert saved["reading"]["files"] > 0 and saved["reading"]["cells"] > 0
    assert all(r["tree_rss"] > 0 and r["cpu"] > 0 for r in saved["scale"])
    assert {v["target"] for v in res["verdicts"]} >= {"zwgk --help"}
    assert saved["machine"]["nproc"] >= 1 and saved["machine"]["python"]
    # a feedback workbook for every unit that sent a return (the one that sent nothing gets none)
    assert [(r["n"], r["feedback"]) for r in saved["fullrun"]] == [(27, saved["scale"][0]["accepted"])]
    assert "完整运行（zwgk run" in table
    # check against the pandas loop over the same 27 files: both ran, check wrote its feedback
    sent = len(list((tmp_path / "corpus").glob("*scale-27/2021Q1/*.xlsx")))  # one of the 27 sends nothing
    assert (saved["check"]["files"], saved["check"]["feedback"]) == (sent, saved["scale"][0]["accepted"])
    assert saved["check"]["check"] > 0 and saved["check"]["pandas"] > 0 and saved["check"]["again"] > 0
    assert f"zwgk check（{sent} 份，全部输出）/ pandas+openpyxl 逐个读取" in table


def test_verdicts_and_markdown_from_measurements():
    """The pass/fail rows from given figures (hand-worked ratios)."""
    res = {"machine": {"nproc": 2, "cpu": "x", "memory": "1 GiB", "python": "3.11", "platform": "p",
                       "load_average": [0, 0, 0], "date": "d"},
           "reading": {"files": 10, "cells": 100, "pandas_openpyxl": 9.0, "calamine": 0.5,
                       "read_returns": 1.0, "read_returns_cpu_util": 1.8},
           "imports": {"seconds": 2.0},
           "city": {k: {"quarter": "2020Q2", "seconds": s, "files": 27, "outputs": 5, "cpu": 1.0,
                        "tree_rss": 2 ** 20}
                    for k, s in (("first", 5.0), ("first_warm", 4.0), ("last", 9.0))},
           "scale": [{"n": 100, "files": 100, "seconds": 2.0, "read": 1.5, "reconcile": 0.2, "score": 0.3,
                      "cpu": 3.0, "cpu_util": 1.5, "read_cpu_util": 1.9, "tree_rss": 300 * 2 ** 20, "reference": 0.1},
                     {"n": 1000, "files": 1000, "seconds": 23.0, "read": 20.0, "reconcile": 1.0, "score": 2.0,
                      "cpu": 30.0, "cpu_util": 1.4, "read_cpu_util": 1.4, "tree_rss": 2 ** 30, "reference": 0.5}]}
    res["fullrun"] = [{"n": 1000, "seconds": 40.0, "cpu": 50.0, "tree_rss": 2 ** 29, "feedback": 900, "bytes": 1},
                      {"n": 2000, "seconds": 90.0, "cpu": 100.0, "tree_rss": 2 ** 29, "feedback": 1800,
                       "bytes": 2, "load": [1.5, 2.0]}]
    res["check"] = {"n": 2000, "files": 1990, "feedback": 1800, "check": 20.0, "check_cpu": 30.0,
                    "check_tree_rss": 2 ** 28, "pandas": 170.0, "pandas_cpu": 169.0, "load": [1.0, 1.2]}
    res["verdicts"] = bench.verdicts(res)
    got = {v["target"]: (v["measured"], v["pass"]) for v in res["verdicts"]}
    assert got["完整运行线性：2000 份 / 1000 份耗时"] == ("2.25×", False)  # 90 / 40 > 2 × 1.1
    assert got["完整运行峰值内存（2000 份，进程树 PSS）"] == ("512 MiB", True)  # no PSS: the RSS sum
    assert got["zwgk check（1990 份，全部输出）/ pandas+openpyxl 逐个读取"] == ("8.5×", True)
    assert got["读取吞吐 / pandas+openpyxl 逐个读取"] == ("9.0×", True)
    assert got["读取耗时 / 裸 python-calamine"] == ("2.00×", False)
    assert got["全市一个季度（27份报表→全部输出）/ 导入四个库"] == ("2.50×", True)
    assert got["线性：1000 份 / 100 份耗时"] == ("11.50×", False)  # 23 / 2 > 10 × 1.1
    assert got["线性：1000 份 / 100 份 CPU 时间"] == ("10.00×", True)
    assert got["峰值内存（1000 份，进程树）"] == ("1024 MiB", False)
    assert got["CPU 利用率（1000 份，读取阶段）"] == ("1.40 核", False)  # < 0.75 × 2
    text = bench.markdown(res)
    assert text.count("未达到") == 5 and "| 1000 | 20.00 |" in text
    assert "| 2000 | 90.0 | 100.0 | 512 MiB | 512 MiB | 1800 | 0 MiB | 1.5 / 2.0 |" in text
    assert "| 1990 | 20.0 | 30.0 | 256 MiB | 1800 | — | 170.0 | 169.0 | 1.0 / 1.2 |" in text


def test_smaller_scales_run_more_often_there_and_back():
    assert bench.scale_plan((100, 1000, 10000), 2) == (
        [100] * 10 + [1000] * 10 + [10000, 10000] + [1000] * 10 + [100] * 10)
    assert bench.scale_plan((30, 60), 1) == [30, 30, 60]  # 60 // 30 = 2 runs of 30
    assert bench.scale_plan((27, 30), 1) == [27, 30]
    assert bench.scale_plan((1, 100), 1, cap=3) == [1, 1, 1, 100]


def test_a_scale_is_the_mean_of_its_runs_and_the_most_memory():
    runs = [{"n": 1000, "files": 976, "seconds": 3.0, "cpu": 4.0, "read": 2.5, "tree_rss": 300, "load": [1, 2]},
            {"n": 1000, "files": 976, "seconds": 2.0, "cpu": 5.0, "read": 1.5, "tree_rss": 200, "load": [3, 4]}]
    row = bench.mean_run(runs)
    assert (row["seconds"], row["cpu"], row["read"], row["files"]) == (2.5, 4.5, 2.0, 976)
    assert row["tree_rss"] == 300 and row["load"] == [1, 4]
    assert row["runs"] == [3.0, 2.0] and row["cpu_runs"] == [4.0, 5.0]
    assert runs[0]["seconds"] == 3.0 and "runs" not in runs[0]  # the runs are left as they were


def test_history_bench_replays_the_quarters_and_times_both_caches(tmp_path):
    from tools.bench import history

    assert [str(q) for q in history.quarters(5)] == ["2020Q2", "2020Q3", "2020Q4", "2021Q1", "2021Q2"]
    res = history.bench_history(tmp_path, lengths=(1,), repeat=1, log=lambda _m: None)
    row = res[1]
    assert row["quarter"] == "2020Q3" and len(row["warm_runs"]) == len(row["cold_runs"]) == 1
    ws = tmp_path / "history1"
    assert (ws / "outputs" / "2020Q2" / "data" / "scores.parquet").is_file()  # the earlier run
    assert (ws / "outputs" / "2020Q3" / "通报_2020Q3.docx").is_file()


def test_tree_memory_asks_every_process_for_what_was_asked(monkeypatch):
    """Each process of the tree is measured as asked: PSS for the full run's target, RSS only
    for the check comparison (once the flag was read from the running sum, so the first
    process of a tree was counted by its RSS)."""
    import os

    from tools.bench import measure

    asked = []

    def fake(p, page, pss=True):
        asked.append(pss)
        return 100, 60

    monkeypatch.setattr(measure, "_memory", fake)
    assert measure._tree_memory(os.getpid(), pss=True) == (100, 60) and asked == [True]
    asked.clear()
    measure._tree_memory(os.getpid(), pss=False)
    assert asked == [False]
