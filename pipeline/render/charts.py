"""charts/*.png for the 通报: ranking bars, verdict matrix, catalogue coverage, score trend.

Agg canvas only (no pyplot state), the bundled CJK font for every label, and PNGs written
without a Software/date tag so that the same tables give the same bytes.
"""

from __future__ import annotations

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
from ..names import CATALOGUE_STATUS_LABELS, GROUP_LABELS, VERDICT_LABELS
from ..result import QuarterResult
from . import fonts
from .palette import CATALOGUE_COLOURS, GRADE_COLOURS, NOT_ASSIGNED, VERDICT_COLOURS

DPI = 150


def _save(fig: Figure, path: Path) -> Path:
    from ..outputs import atomic_path

    FigureCanvasAgg(fig)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=DPI, format="png", metadata={"Software": None})
    return path


# Margins in inches. The layout is computed from the labels' measured widths (FreeType, as
# drawn) instead of fig.tight_layout(), which lays every text out once more only to measure
# it: a third of the charts' time.
PAD, TICK, TITLE_PAD, LABEL_PAD = 0.12, 0.1, 0.09, 0.06
LEGEND_ROW = 0.4  # the legend row under the axes


@cache
def _face():
    from matplotlib.ft2font import FT2Font

    return FT2Font(str(fonts.FONT_FILE))


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
    n = len(s)
    fig = Figure(dpi=DPI, figsize=(8, 1.2 + 0.38 * n))
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    colours = [GRADE_COLOURS.get(g, "#757575") for g in s["grade"]]
    ax.barh(y, s["total"].astype(float), color=colours, height=0.65)
    ax.set_yticks(y, [f"{int(r)}. {name}" for r, name in zip(s["rank"], s["short_name"], strict=True)])
    for yi, total in zip(y, s["total"].astype(float), strict=True):
        ax.text(total + 1, yi, f"{total:.1f}", va="center", fontsize=9)
    ax.set_xlim(0, 110)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("综合得分")
    ax.set_title(f"{GROUP_LABELS[group]}综合得分排名（{result.quarter.label}）")
    present = [g for g in GRADE_COLOURS if g in set(s["grade"])]
    ax.spines[["top", "right"]].set_visible(False)
    _legend_below(fig, ax, [Patch(color=GRADE_COLOURS[g], label=g) for g in present], 4)
    return _save(fig, path)


def verdict_matrix_chart(result: QuarterResult, path: Path) -> Path | None:
    """Unit × task heat map of verdicts (blank where the task is not the unit's)."""
    rec = result.reconciliation[result.reconciliation["unit_id"].isin(result.scores["unit_id"])]
    if rec.empty:
        return None
    units = list(result.scores["unit_id"])  # ranking order: group, then rank
    tasks = sorted(rec["task_id"].astype(int).unique())
    codes = list(VERDICT_COLOURS)
    grid = rec.pivot_table(index="unit_id", columns="task_id", values="verdict", aggfunc="first")
    grid = grid.reindex(index=units, columns=tasks)
    values = grid.apply(lambda col: col.map(lambda v: codes.index(v) + 1 if isinstance(v, str) else 0))
    cmap = ListedColormap([NOT_ASSIGNED] + [VERDICT_COLOURS[c] for c in codes])
    names = _short_names(result)
    fig = Figure(dpi=DPI, figsize=(9, 1.6 + 0.3 * len(units)))
    ax = fig.add_subplot()
    ax.imshow(values.to_numpy(dtype=float), cmap=cmap, vmin=0, vmax=len(codes), aspect="auto",
              interpolation="nearest")
    ax.set_xticks(range(len(tasks)), [str(t) for t in tasks])
    ax.set_yticks(range(len(units)), [names.get(u, u) for u in units], fontsize=8)
    ax.set_xlabel("任务编号")
    ax.set_xticks(np.arange(-0.5, len(tasks)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(units)), minor=True)
    ax.grid(which="minor", color="white", linewidth=1)
    ax.tick_params(which="minor", length=0)
    ax.set_title(f"各单位任务完成情况（截至{result.as_of.year}年{result.as_of.month}月{result.as_of.day}日）")
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
    counts = pd.crosstab(dom["unit_id"], status.fillna("missing")).reindex(units).fillna(0)
    names = _short_names(result)
    fig = Figure(dpi=DPI, figsize=(8, 1.4 + 0.4 * len(units)))
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
    ax.set_yticks(y, [names.get(u, u) for u in units])
    ax.set_xlim(0, max(26, left.max()))
    ax.set_xlabel("试点领域数（个）")
    ax.set_title("基层政府试点领域标准目录编制情况")
    ax.spines[["top", "right"]].set_visible(False)
    _legend_below(fig, ax, ax.get_legend_handles_labels()[0], 5)
    return _save(fig, path)


def score_trend_chart(result: QuarterResult, path: Path) -> Path | None:
    """Totals across quarters from result.extra['history']: one line per unit, per group."""
    hist = result.extra.get("history")
    if hist is None or hist.empty:
        return None
    hist = hist.copy()
    hist["quarter"] = hist["quarter"].astype(str)
    if str(result.quarter) not in set(hist["quarter"]):
        now = result.scores[["unit_id", "total"]].assign(quarter=str(result.quarter))
        hist = pd.concat([hist, now], ignore_index=True)
    quarters = sorted(hist["quarter"].unique(), key=parse_quarter)
    if len(quarters) < 2:
        return None
    groups = result.reference.units.set_index("unit_id")["group"]
    names = _short_names(result)
    hist["group"] = hist["unit_id"].map(groups)
    present = [g for g in ("base", "dept") if (hist["group"] == g).any()]
    fig = Figure(dpi=DPI, figsize=(9, 3.6 * len(present)))
    labels = [parse_quarter(q).label.replace("第", "").replace("季度", "季") for q in quarters]
    legend_names: list[str] = []
    for i, g in enumerate(present, start=1):
        ax = fig.add_subplot(len(present), 1, i)
        h = hist[hist["group"] == g]
        table = h.pivot_table(index="quarter", columns="unit_id", values="total", aggfunc="first")
        table = table.reindex(index=quarters, columns=_unit_order(result, h["unit_id"]))
        for unit in table.columns:
            ax.plot(range(len(quarters)), table[unit].astype(float), marker="o", linewidth=1.2,
                    markersize=3, label=names.get(unit, unit))
        ax.set_xticks(range(len(quarters)), labels)
        ax.set_ylim(0, 105)
        ax.set_ylabel("综合得分")
        ax.set_title(f"{GROUP_LABELS[g]}各季度综合得分")
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=7, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        legend_names.extend(names.get(u, u) for u in table.columns)
    # handle (2 em), its gap (0.8 em) and the legend's own padding (0.8 em), the 1% gap
    legend = (2.0 + 0.8 + 0.8) * 7 / 72 + text_width(legend_names, 7) + 0.01 * 7
    _fit(fig, fig.axes, legend_right=legend)
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


def render_charts(result: QuarterResult, out_dir: str | Path) -> dict[str, Path]:
    """Write the chart PNGs into out_dir (charts/); returns key → path for those drawn.

    Keys: ranking_base, ranking_dept, verdict_matrix, domain_coverage, score_trend (the last
    only when result.extra['history'] spans two quarters or more).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    jobs = {
        "ranking_base": lambda p: ranking_chart(result, "base", p),
        "ranking_dept": lambda p: ranking_chart(result, "dept", p),
        "verdict_matrix": lambda p: verdict_matrix_chart(result, p),
        "domain_coverage": lambda p: domain_coverage_chart(result, p),
        "score_trend": lambda p: score_trend_chart(result, p),
    }
    paths: dict[str, Path] = {}
    with rc_context(fonts.rc()):
        for key, draw in jobs.items():
            path = draw(out / f"{key}.png")
            if path is not None:
                paths[key] = path
    return paths
