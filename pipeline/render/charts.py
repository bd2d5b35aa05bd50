"""charts/*.png for the 通报: ranking bars, verdict matrix, catalogue coverage, score trend.

Agg canvas only (no pyplot state), the bundled CJK font for every label, and PNGs written
without a Software/date tag so that the same tables give the same bytes.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..dates import parse_quarter
from ..names import CATALOGUE_STATUS_LABELS, VERDICT_LABELS, group_labels
from ..outputs import atomic_path
from ..result import QuarterResult
from . import fonts
from .palette import CATALOGUE_COLOURS, GRADE_COLOURS, NOT_ASSIGNED, VERDICT_COLOURS

DPI = 150
# Charts are drawn at the width they are shown in the 通报 (the 156 mm text block), so their
# type sizes are the sizes printed; heights grow with the units shown, within ~100 mm.
WIDTH = 6.14
# Highlighted lines of the trend chart: distinct hues, none grey (grey is the rest), none
# repeated within the chart (two panels of up to six lines each).
HIGHLIGHT = ["#1F77B4", "#D62728", "#2CA02C", "#FF7F0E", "#9467BD", "#8C564B",
             "#E377C2", "#17BECF", "#BCBD22", "#003F5C", "#7A0177", "#00441B"]
REST_GREY = "#C8C8C8"
# Above this many units a chart stops drawing one bar or row per unit (a province's
# townships: thousands): the rankings show each group's top and bottom SHOWN units, the
# verdict and catalogue charts one bar per area (a county's townships, a group's own units),
# the trend a band for the rest. The city (27 units) and a county stay drawn unit by unit.
SCALE_UNITS = 60
SHOWN = 15


# zlib level 3: the same pixels as the default level 6 in two thirds of the time (a tenth of
# the charts' time), and for these flat-coloured charts even a few bytes fewer.
PNG_OPTIONS = {"compress_level": 3}


def _save(fig: Figure, path: Path) -> Path:

    FigureCanvasAgg(fig)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=DPI, format="png", metadata={"Software": None}, pil_kwargs=PNG_OPTIONS)
    return path


# Margins in inches. The layout is computed from the labels' measured widths (FreeType, as
# drawn) instead of fig.tight_layout(), which lays every text out once more only to measure
# it: a third of the charts' time.
PAD, TICK, TITLE_PAD, LABEL_PAD = 0.12, 0.1, 0.09, 0.06
LEGEND_ROW = 0.4  # the legend row under the axes
# Titles just above the axes, where matplotlib's automatic placement puts them too when nothing
# is above the axes (no tick labels on top): said outright, it does not lay out every tick
# label once more to find out (an eighth of a chart's time).
TITLE_Y = 1.0


@cache
def _face():
    from matplotlib.ft2font import FT2Font

    return FT2Font(str(fonts.FONT_FILE))


# A forked child (the chart process's sibling) opens the font anew, as matplotlib does for its
# own font cache: FreeType reads the file through a buffered Python file object (seek, read),
# and an inherited one shares its offset with the parent's, so measuring text in one process
# garbled the other's glyphs («failed to load glyph»).
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_face.cache_clear)


def text_width(texts, size: float) -> float:
    """Width in inches of the widest of `texts` in the chart font at `size` points."""
    face, widest = _face(), 0.0
    face.set_size(size, 72)
    for text in texts:
        if text:
            face.set_text(text)
            widest = max(widest, face.get_width_height()[0] / 64)
    return widest / 72


def _line(size: float) -> float:
    return size * 1.25 / 72


def _fit(fig: Figure, axes: list, legend_below: bool = False, legend_right: float = 0.0) -> None:
    """Place the axes so that tick labels, axis labels, titles and legends just fit."""
    width, height = fig.get_size_inches()
    ax = axes[0]
    y_ticks = [t for a in axes for t in a.get_yticklabels()]
    x_ticks = axes[-1].get_xticklabels()
    y_size = y_ticks[0].get_fontsize() if y_ticks else 10
    x_size = x_ticks[0].get_fontsize() if x_ticks else 10
    left = PAD + TICK + text_width([t.get_text() for t in y_ticks], y_size)
    if ax.get_ylabel():
        left += _line(ax.yaxis.label.get_fontsize()) + LABEL_PAD
    title = _line(ax.title.get_fontsize()) + TITLE_PAD if ax.get_title() else 0.0
    x_band = TICK + _line(x_size)  # tick labels under an axes
    bottom = PAD + x_band + (LEGEND_ROW if legend_below else 0.0)
    if axes[-1].get_xlabel():
        bottom += _line(axes[-1].xaxis.label.get_fontsize()) + LABEL_PAD
    half = text_width([x_ticks[-1].get_text()], x_size) / 2 if x_ticks else 0.0  # last label's overhang
    right = PAD + max(legend_right, half)
    n = len(axes)
    plot = (height - PAD - title - bottom - (n - 1) * (x_band + title + PAD)) / n
    fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - (PAD + title) / height,
                        bottom=bottom / height, hspace=(x_band + title + PAD) / plot)


def _legend_below(fig: Figure, ax, handles, ncol: int) -> None:
    """One legend row centred under the axes, at a fixed distance whatever the figure height."""
    height = fig.get_figheight()
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.08 / height), ncol=ncol,
               fontsize=8, frameon=False)
    _fit(fig, [ax], legend_below=True)


def _short_names(result: QuarterResult) -> pd.Series:
    return result.reference.units.set_index("unit_id")["short_name"]


def _unit_order(result: QuarterResult, ids) -> list[str]:
    order = result.reference.units.set_index("unit_id")["order"]
    return sorted(set(ids), key=lambda u: (order.get(u, 10**6), u))


def ranking_chart(result: QuarterResult, group: str, path: Path) -> Path | None:
    """Horizontal bars of the group's totals in rank order, coloured by grade."""
    s = result.scores[result.scores["group"] == group].sort_values("rank", kind="stable")
    if s.empty:
        return None
    everyone, grades = len(s), set(s["grade"])
    labels = [f"{int(r)}. {name}" for r, name in zip(s["rank"], s["short_name"], strict=True)]
    if everyone > SCALE_UNITS:  # the top and the bottom SHOWN, a gap row between them
        labels = labels[:SHOWN] + [f"……（其余 {everyone - 2 * SHOWN} 个单位略）"] + labels[-SHOWN:]
        s = pd.concat([s.iloc[:SHOWN], s.iloc[:0].reindex([-1]), s.iloc[-SHOWN:]])
    n = len(s)
    fig = Figure(dpi=DPI, figsize=(WIDTH, 0.95 + 0.17 * n))
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    colours = [GRADE_COLOURS.get(g, "#757575") for g in s["grade"]]
    totals = s["total"].astype(float).fillna(0.0)
    ax.barh(y, totals, color=colours, height=0.7)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_ylim(-0.6, n - 0.4)
    for yi, total, gap in zip(y, totals, s["total"].isna(), strict=True):
        if not gap:
            ax.text(total + 1, yi, f"{total:.1f}", va="center", fontsize=7.5)
    ax.set_xlim(0, 110)
    ax.set_xticks(range(0, 101, 20))
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlabel("综合得分", fontsize=8)
    part = f"，前{SHOWN}名与后{SHOWN}名，共{everyone}个" if everyone > SCALE_UNITS else ""
    ax.set_title(f"{group_labels(result.reference.level)[group]}综合得分排名（{result.quarter.label}{part}）", fontsize=9, y=TITLE_Y)
    present = [g for g in GRADE_COLOURS if g in grades]
    ax.spines[["top", "right"]].set_visible(False)
    _legend_below(fig, ax, [Patch(color=GRADE_COLOURS[g], label=g) for g in present], 4)
    return _save(fig, path)


def verdict_matrix_chart(result: QuarterResult, path: Path) -> Path | None:
    """Unit × task heat map of verdicts (blank where the task is not the unit's)."""
    rec = result.reconciliation[result.reconciliation["unit_id"].isin(result.scores["unit_id"])]
    if rec.empty:
        return None
    units = list(result.scores["unit_id"])  # ranking order: group, then rank
    codes = list(VERDICT_COLOURS)
    if len(units) > SCALE_UNITS:
        title = f"各地区任务核对结果构成（截至{result.as_of.year}年{result.as_of.month}月{result.as_of.day}日）"
        return _area_shares(result, rec, "verdict", codes, VERDICT_COLOURS, VERDICT_LABELS, title,
                            "任务核对结果占比（%）", path)
    tasks = sorted(rec["task_id"].astype(int).unique())
    grid = rec.pivot_table(index="unit_id", columns="task_id", values="verdict", aggfunc="first")
    grid = grid.reindex(index=units, columns=tasks)
    values = grid.apply(lambda col: col.map(lambda v: codes.index(v) + 1 if isinstance(v, str) else 0))
    cmap = ListedColormap([NOT_ASSIGNED] + [VERDICT_COLOURS[c] for c in codes])
    names = _short_names(result)
    fig = Figure(dpi=DPI, figsize=(WIDTH, 1.15 + 0.1 * len(units)))
    ax = fig.add_subplot()
    ax.imshow(values.to_numpy(dtype=float), cmap=cmap, vmin=0, vmax=len(codes), aspect="auto",
              interpolation="nearest")
    ax.set_xticks(range(len(tasks)), [str(t) for t in tasks], fontsize=7)
    ax.set_yticks(range(len(units)), [names.get(u, u) for u in units], fontsize=6)
    ax.set_xlabel("任务编号", fontsize=8)
    # white lines between the cells: two line collections, not a grid of minor ticks (each tick
    # is five artists, a third of this chart's drawing)
    ax.vlines(np.arange(0.5, len(tasks) - 1), -0.5, len(units) - 0.5, color="white", linewidth=1)
    ax.hlines(np.arange(0.5, len(units) - 1), -0.5, len(tasks) - 0.5, color="white", linewidth=1)
    ax.set_title(f"各单位任务完成情况（截至{result.as_of.year}年{result.as_of.month}月{result.as_of.day}日）",
                 fontsize=9, y=TITLE_Y)
    _legend_below(fig, ax, [Patch(color=VERDICT_COLOURS[c], label=VERDICT_LABELS[c]) for c in codes], 6)
    return _save(fig, path)


def domain_coverage_chart(result: QuarterResult, path: Path) -> Path | None:
    """Per 基层政府: how many of the 26 catalogues are at each status (stacked bars)."""
    dom = result.domain_reconciliation
    dom = dom[(dom["kind"] == "catalogue") & dom["unit_id"].isin(result.scores["unit_id"])]
    if dom.empty:
        return None
    units = _unit_order(result, dom["unit_id"])
    status = dom["status"].where(dom["status"].isin(list(CATALOGUE_STATUS_LABELS)), None)
    if len(units) > SCALE_UNITS:
        codes = [*CATALOGUE_STATUS_LABELS, "missing"]
        return _area_shares(result, dom.assign(status=status.fillna("missing")), "status", codes,
                            {c: CATALOGUE_COLOURS.get(c if c != "missing" else None) for c in codes},
                            CATALOGUE_STATUS_LABELS | {"missing": "未填报"},
                            "基层政府试点领域标准目录编制情况（按地区）", "试点领域目录占比（%）", path)
    counts = pd.crosstab(dom["unit_id"], status.fillna("missing")).reindex(units).fillna(0)
    names = _short_names(result)
    fig = Figure(dpi=DPI, figsize=(WIDTH, 1.0 + 0.2 * len(units)))
    ax = fig.add_subplot()
    y = np.arange(len(units))[::-1]
    left = np.zeros(len(units))
    labels = CATALOGUE_STATUS_LABELS | {"missing": "未填报"}
    for code in [*CATALOGUE_STATUS_LABELS, "missing"]:
        if code not in counts:
            continue
        vals = counts[code].to_numpy(dtype=float)
        ax.barh(y, vals, left=left, color=CATALOGUE_COLOURS.get(code if code != "missing" else None),
                height=0.65, label=labels[code])
        left += vals
    ax.set_yticks(y, [names.get(u, u) for u in units], fontsize=8)
    ax.set_xlim(0, max(26, left.max()))
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlabel("试点领域数（个）", fontsize=8)
    ax.set_title("基层政府试点领域标准目录编制情况", fontsize=9, y=TITLE_Y)
    ax.spines[["top", "right"]].set_visible(False)
    _legend_below(fig, ax, ax.get_legend_handles_labels()[0], 5)
    return _save(fig, path)


def areas(result: QuarterResult, ids) -> pd.Series:
    """unit_id → the area a province-scale chart sums it under: its parent's short name where
    the parent is itself a ranked unit (a county's townships), else its group's label."""
    units = result.reference.units.set_index("unit_id")
    ranked = set(result.scores["unit_id"])
    ids = pd.Series(list(ids), index=list(ids))
    parent = ids.map(units["parent_id"]).fillna("")
    own = ids.map(units["group"]).map(group_labels(result.reference.level)).fillna("")
    return own.where(~parent.isin(ranked), parent.map(units["short_name"]) + "所属乡镇")


def _area_shares(result: QuarterResult, rows: pd.DataFrame, column: str, codes: list[str],
                 colours: dict, labels: dict, title: str, xlabel: str, path: Path) -> Path:
    """100 % stacked bars: per area (see `areas`), each code's share of `rows`, areas in the
    order of their first unit in the reference."""
    where = areas(result, rows["unit_id"].unique())
    area = rows["unit_id"].map(where)
    counts = pd.crosstab(area, rows[column]).reindex(columns=codes, fill_value=0)
    order = _unit_order(result, rows["unit_id"])
    counts = counts.reindex(pd.unique(where.reindex(order)))
    units_in = where.value_counts()
    shares = counts.div(counts.sum(axis=1).replace(0, 1), axis=0) * 100
    n = len(shares)
    fig = Figure(dpi=DPI, figsize=(WIDTH, 1.0 + 0.22 * n))
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    left = np.zeros(n)
    for code in codes:
        vals = shares[code].to_numpy(dtype=float)
        ax.barh(y, vals, left=left, color=colours[code], height=0.65, label=labels[code])
        left += vals
    ax.set_yticks(y, [f"{a}（{units_in[a]}）" for a in shares.index], fontsize=8)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlim(0, 100)
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_title(title, fontsize=9, y=TITLE_Y)
    ax.spines[["top", "right"]].set_visible(False)
    _legend_below(fig, ax, ax.get_legend_handles_labels()[0], min(len(codes), 6))
    return _save(fig, path)


TREND_HIGHLIGHT = 3  # per group: the top and the bottom this many units get a colour and a label


def trend_highlights(hist: pd.DataFrame, current: str, has_return: pd.Series) -> list[str]:
    """The units of one group whose lines are drawn in colour: the TREND_HIGHLIGHT best and
    worst of the current quarter (units that sent a return; ties in reference order)."""
    now = hist[(hist["quarter"] == current) & hist["unit_id"].map(has_return).fillna(True).astype(bool)]
    now = now.sort_values("total", ascending=False, kind="stable")
    ids = list(now["unit_id"])
    if len(ids) <= 2 * TREND_HIGHLIGHT:
        return ids
    return ids[:TREND_HIGHLIGHT] + ids[-TREND_HIGHLIGHT:]


def _spread(ys: list[float], gap: float, lo: float, hi: float) -> list[float]:
    """Label positions near `ys` (sorted ascending) at least `gap` apart, within [lo, hi]."""
    out = []
    for y in ys:
        out.append(max(y, out[-1] + gap) if out else max(y, lo))
    over = out[-1] - hi if out else 0
    if over > 0:  # pushed past the top: shift down, keeping the gaps
        out = [y - over for y in out]
        for i in range(len(out) - 2, -1, -1):
            out[i] = min(out[i], out[i + 1] - gap)
    return out


def score_trend_chart(result: QuarterResult, path: Path) -> Path | None:
    """Totals across quarters from result.extra['history'], one panel per group side by side:
    every unit a thin grey line, the group's top and bottom units in colour (no colour twice
    in the chart) with their names at the line ends."""
    hist = result.extra.get("history")
    if hist is None or hist.empty:
        return None
    hist = hist.copy()
    hist["quarter"] = hist["quarter"].astype(str)
    current = str(result.quarter)
    if current not in set(hist["quarter"]):
        now = result.scores[["unit_id", "total"]].assign(quarter=current)
        hist = pd.concat([hist, now], ignore_index=True)
    quarters = sorted(hist["quarter"].unique(), key=parse_quarter)
    if len(quarters) < 2:
        return None
    groups = result.reference.units.set_index("unit_id")["group"]
    names = _short_names(result)
    sc = result.scores.set_index("unit_id")
    has_return = sc["has_return"] if "has_return" in sc else sc["on_time"].notna()
    hist["group"] = hist["unit_id"].map(groups)
    present = [g for g in ("base", "dept") if (hist["group"] == g).any()]
    labels = [parse_quarter(q).label.replace("年第", "\n").replace("季度", "季") for q in quarters]
    chosen = {g: trend_highlights(hist[hist["group"] == g], current, has_return) for g in present}
    label_w = 0.08 + text_width([names.get(u, u) for ids in chosen.values() for u in ids], 7)
    fig = Figure(dpi=DPI, figsize=(WIDTH, 2.9))
    left = PAD + TICK + text_width(["100"], 8) + _line(8) + LABEL_PAD
    panel = (WIDTH - left - len(present) * (label_w + PAD)) / len(present)
    bottom = PAD + TICK + 2 * _line(7.5)
    top = PAD + _line(9) + TITLE_PAD
    colours = iter(HIGHLIGHT)
    for i, g in enumerate(present):
        x0 = left + i * (panel + label_w + PAD)
        ax = fig.add_axes((x0 / WIDTH, bottom / 2.9, panel / WIDTH, (2.9 - bottom - top) / 2.9))
        h = hist[hist["group"] == g]
        table = h.pivot_table(index="quarter", columns="unit_id", values="total", aggfunc="first")
        table = table.reindex(index=quarters, columns=_unit_order(result, h["unit_id"]))
        x = np.arange(len(quarters))
        rest = table[[u for u in table.columns if u not in chosen[g]]].astype(float)
        banded = rest.shape[1] > SCALE_UNITS  # thousands of grey lines: their 10–90 % band
        if banded:
            ax.fill_between(x, rest.quantile(0.1, axis=1), rest.quantile(0.9, axis=1), color=REST_GREY,
                            linewidth=0, zorder=1)
            ax.plot(x, rest.median(axis=1), color="#969696", linewidth=0.8, linestyle="--", zorder=1)
        else:
            for unit in rest.columns:
                ax.plot(x, rest[unit], color=REST_GREY, linewidth=0.8, zorder=1)
        ends = []
        for unit in chosen[g]:
            colour = next(colours)
            ax.plot(x, table[unit].astype(float), color=colour, linewidth=1.6, marker="o", markersize=2.5,
                    zorder=2)
            ends.append((float(table[unit].iloc[-1]), names.get(unit, unit), colour))
        lo = max(0.0, np.floor(np.nanmin(table.to_numpy(dtype=float)) / 10) * 10 - 5) if table.size else 0.0
        ends.sort()
        height_pt = (2.9 - bottom - top) * 72
        ys = _spread([e[0] for e in ends], (105 - lo) * 8.5 / height_pt, lo, 104)  # labels 8.5 pt apart
        for (_, name, colour), y in zip(ends, ys, strict=True):
            ax.annotate(name, (x[-1], y), xytext=(4, 0), textcoords="offset points", va="center",
                        fontsize=7, color=colour, annotation_clip=False)
        ax.set_xticks(x, labels, fontsize=7.5)
        ax.set_xlim(-0.2, len(quarters) - 0.8)
        ax.set_ylim(lo, 105)
        ax.tick_params(axis="y", labelsize=8)
        if i == 0:
            ax.set_ylabel("综合得分", fontsize=8)
        ax.set_title(f"{group_labels(result.reference.level)[g]}（{'灰带为其他单位10%–90%分位' if banded else '灰线为其他单位'}）",
                     fontsize=9, y=TITLE_Y)
        ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, path)


def warm_up() -> None:
    """Load the chart font and the drawing code paths once (a tiny figure, not saved), so
    that a process that starts early has them ready when the result arrives."""
    import io

    with rc_context(fonts.rc()):
        fig = Figure(figsize=(1, 1))
        fig.add_subplot().set_title("通报")
        FigureCanvasAgg(fig)
        fig.savefig(io.BytesIO(), dpi=10, format="png")


# key → drawer (result, path) → path or None; the charts' file names and the .docx's order
CHARTS = {
    "ranking_base": lambda result, path: ranking_chart(result, "base", path),
    "ranking_dept": lambda result, path: ranking_chart(result, "dept", path),
    "verdict_matrix": verdict_matrix_chart,
    "domain_coverage": domain_coverage_chart,
    "score_trend": score_trend_chart,
}
CHART_KEYS = tuple(CHARTS)


def render_charts(result: QuarterResult, out_dir: str | Path, only=None) -> dict[str, Path]:
    """Write the chart PNGs into out_dir (charts/); returns key → path for those drawn.

    Keys (CHART_KEYS): ranking_base, ranking_dept, verdict_matrix, domain_coverage, score_trend
    (the last only when result.extra['history'] spans two quarters or more). `only`: these keys
    alone (the chart process draws the charts in two halves).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    with rc_context(fonts.rc()):
        for key, draw in CHARTS.items():
            if only is not None and key not in only:
                continue
            path = draw(result, out / f"{key}.png")
            if path is not None:
                paths[key] = path
    return paths
