"""Province scale (thousands of townships): charts summarise above SCALE_UNITS units, the
workbook keeps every row. The city fixture (9 units) stays drawn unit by unit."""

from __future__ import annotations

import dataclasses
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook
from render_fixture import BASE, make_result

from pipeline.render import charts
from pipeline.render.workbook import CHART_UNITS, render_ranking_workbook


@pytest.fixture(scope="module")
def city(ref):
    return make_result(ref)


def townships(result, per_county: int):
    """The fixture with `per_county` townships under each 基层政府 (parent_id = the county),
    each a copy of its county's scores, verdicts and catalogue rows, ranked after the city's."""
    units = result.reference.units
    counties = units[units["unit_id"].isin(BASE)]
    new = pd.concat([counties.assign(unit_id=counties["unit_id"] + f"_t{i}", parent_id=counties["unit_id"],
                                     short_name=counties["short_name"] + f"{i}镇", name=counties["name"] + f"{i}镇")
                     for i in range(per_county)], ignore_index=True)
    new["order"] = pd.Series(range(1000, 1000 + len(new))).astype(units["order"].dtype)

    def copies(frame):
        mine = frame[frame["unit_id"].isin(BASE)]
        return pd.concat([frame] + [mine.assign(unit_id=mine["unit_id"] + f"_t{i}") for i in range(per_county)],
                         ignore_index=True)

    sc = copies(result.scores)
    sc["short_name"] = sc["unit_id"].map(pd.concat([units, new]).set_index("unit_id")["short_name"])
    base = sc["group"] == "base"
    sc.loc[base, "rank"] = range(1, int(base.sum()) + 1)
    reference = dataclasses.replace(result.reference, units=pd.concat([units, new], ignore_index=True))
    extra = dict(result.extra, history=copies(result.extra["history"]))
    return dataclasses.replace(result, reference=reference, scores=sc, reconciliation=copies(result.reconciliation),
                               domain_reconciliation=copies(result.domain_reconciliation), extra=extra)


def _figure(monkeypatch, draw):
    """The Figure `draw(path)` saves (charts._save wrapped)."""
    from matplotlib import rc_context

    from pipeline.render import fonts

    kept = []
    save = charts._save
    monkeypatch.setattr(charts, "_save", lambda fig, path: kept.append(fig) or save(fig, path))
    with rc_context(fonts.rc()):
        assert draw() is not None
    return kept[-1]


def _ticks(fig):
    return [t.get_text() for t in fig.axes[0].get_yticklabels()]


def test_ranking_shows_top_and_bottom_above_the_threshold(city, tmp_path, monkeypatch):
    big = townships(city, 20)  # 5 counties + 100 townships = 105 基层政府
    fig = _figure(monkeypatch, lambda: charts.ranking_chart(big, "base", tmp_path / "r.png"))
    ticks = _ticks(fig)
    n = charts.SHOWN
    assert len(ticks) == 2 * n + 1
    assert ticks[n] == f"……（其余 {105 - 2 * n} 个单位略）"
    assert ticks[0].startswith("1. ") and ticks[-1].startswith("105. ")
    assert f"前{n}名与后{n}名，共105个" in fig.axes[0].get_title()


def test_ranking_draws_every_unit_up_to_the_threshold(city, tmp_path, monkeypatch):
    per_county = (charts.SCALE_UNITS - len(BASE)) // len(BASE)  # 5 + 5 × 11 = 60 units: all drawn
    big = townships(city, per_county)
    fig = _figure(monkeypatch, lambda: charts.ranking_chart(big, "base", tmp_path / "r.png"))
    assert len(_ticks(fig)) == charts.SCALE_UNITS and "共" not in fig.axes[0].get_title()
    # the city fixture: every unit, as before
    fig = _figure(monkeypatch, lambda: charts.ranking_chart(city, "base", tmp_path / "c.png"))
    assert len(_ticks(fig)) == len(city.scores[city.scores["group"] == "base"])


def test_areas_are_parents_or_groups(city):
    big = townships(city, 2)
    got = charts.areas(big, ["hubin", "hubin_t0", "zrzy", "lingbao_t1"])
    assert got.to_dict() == {"hubin": "基层政府", "hubin_t0": "湖滨区所属乡镇", "zrzy": "市直部门",
                             "lingbao_t1": "灵宝市所属乡镇"}


def test_verdict_chart_becomes_area_shares_above_the_threshold(city, tmp_path, monkeypatch):
    big = townships(city, 20)
    fig = _figure(monkeypatch, lambda: charts.verdict_matrix_chart(big, tmp_path / "v.png"))
    ax = fig.axes[0]
    assert _ticks(fig) == ["基层政府（5）", "市直部门（4）", "湖滨区所属乡镇（20）", "陕州区所属乡镇（20）",
                           "义马市所属乡镇（20）", "灵宝市所属乡镇（20）", "渑池县所属乡镇（20）"]
    # the bars of each area add up to 100 %, in the shares of the copied county's verdicts
    widths = pd.DataFrame([(round(p.get_y(), 3), p.get_width()) for p in ax.patches], columns=["y", "w"])
    assert widths.groupby("y")["w"].sum().round(9).eq(100).all()
    rec = city.reconciliation
    hubin = rec.loc[rec["unit_id"] == "hubin", "verdict"].value_counts(normalize=True) * 100
    top = widths["y"].max()  # 基层政府 is the top bar; 湖滨区所属乡镇 the third
    third = sorted(widths["y"].unique(), reverse=True)[2]
    assert sorted(widths.loc[(widths["y"] == third) & (widths["w"] > 0), "w"].round(6)) == sorted(hubin.round(6))
    assert top > third
    # the city stays a unit × task matrix
    fig = _figure(monkeypatch, lambda: charts.verdict_matrix_chart(city, tmp_path / "c.png"))
    assert len(_ticks(fig)) == len(city.scores)


def test_trend_draws_a_band_for_the_rest_above_the_threshold(city, tmp_path, monkeypatch):
    from matplotlib.collections import PolyCollection

    big = townships(city, 20)  # 105 基层政府 lines → a band; 4 市直部门 stay grey lines
    fig = _figure(monkeypatch, lambda: charts.score_trend_chart(big, tmp_path / "t.png"))
    base, dept = fig.axes
    assert "灰带" in base.get_title() and "灰线" in dept.get_title()
    assert len([c for c in base.collections if isinstance(c, PolyCollection)]) == 1
    assert len(base.get_lines()) == 1 + 2 * charts.TREND_HIGHLIGHT  # the median and the highlighted units
    assert not dept.collections and len(dept.get_lines()) == 4


def test_workbook_keeps_every_row_and_drops_per_unit_charts_at_scale(city, tmp_path):
    big = townships(city, 20)
    path = render_ranking_workbook(big, tmp_path / "big.xlsx")
    wb = load_workbook(path, read_only=True)
    units = len(big.scores)
    assert units > CHART_UNITS
    matrix = list(wb["任务矩阵"].iter_rows(min_row=2, max_row=units + 1, max_col=1, values_only=True))
    assert [r[0] for r in matrix][-1] == "渑池县19镇" and len(matrix) == units
    ids = list(big.scores["unit_id"])
    rows = {u: [c.value for c in next(wb["任务矩阵"].iter_rows(min_row=2 + ids.index(u), max_row=2 + ids.index(u)))]
            for u in ("yima", "yima_t7")}
    last = 2 + big.reconciliation["task_id"].nunique()  # the matrix: name, group, one column per task
    assert rows["yima_t7"][0] == "义马市7镇" and rows["yima_t7"][1:last] == rows["yima"][1:last]
    assert "逾期未完成" in rows["yima_t7"]  # task 5 overdue, as its county's
    domain_rows = list(wb["领域矩阵"].iter_rows(min_row=2, max_col=1, values_only=True))
    assert sum(1 for r in domain_rows if r[0] and r[0].endswith("镇")) == 100
    with zipfile.ZipFile(path) as z:  # only the 市直部门 ranking (4 units) keeps its native chart
        assert len([n for n in z.namelist() if n.startswith("xl/charts/chart")]) == 1
    with zipfile.ZipFile(render_ranking_workbook(city, tmp_path / "city.xlsx")) as z:
        assert len([n for n in z.namelist() if n.startswith("xl/charts/chart")]) == 3
