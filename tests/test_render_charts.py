"""Chart PNGs: the bundled CJK font draws every glyph (a missing glyph fails the test)."""

from __future__ import annotations

import os
import warnings

import pytest
from render_fixture import make_result

from pipeline.render import fonts
from pipeline.render.charts import render_charts

# matplotlib attributes its missing-glyph warning to the caller's module, so the pyproject filter
# on "matplotlib.*" does not see it; match the message instead.
pytestmark = pytest.mark.filterwarnings("error:Glyph .* missing from font")


@pytest.fixture(scope="module")
def result(ref):
    return make_result(ref)


def test_font_is_bundled_small_and_licensed():
    assert fonts.FONT_FILE.exists() and (fonts.FONT_FILE.parent / "OFL.txt").exists()
    assert fonts.FONT_FILE.stat().st_size < 4_000_000
    assert fonts.register() == fonts.FAMILY
    from matplotlib import font_manager

    assert font_manager.findfont(fonts.FAMILY, fallback_to_default=False) == str(fonts.FONT_FILE)


def _strings(value):
    """Every string inside a constant (str, dict keys and values, list/tuple/set items)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            yield from _strings(v)


def _missing(texts) -> list[str]:
    return sorted(fonts.missing_glyphs("".join(texts)))


def test_font_covers_every_reference_and_vocabulary_string(ref):
    """The font is a subset: it must hold every character the charts can draw — all the shipped
    reference files (units, tasks, domains, settings), the vocabulary of names.py, the chart
    module's own labels and every quarter label."""
    import ast
    from pathlib import Path

    from pipeline import names
    from pipeline.dates import Quarter

    root = Path(names.__file__).parent
    # (catalogue_rules.toml's tick glyphs ■ ☐ … are read from catalogues, never drawn)
    texts = [p.read_text(encoding="utf-8") for p in sorted((root / "reference").iterdir())
             if p.is_file() and p.name != "catalogue_rules.toml"]
    texts += [str(cell) for frame in (ref.units, ref.tasks, ref.domains) for cell in frame.to_numpy().ravel()]
    vocabulary = {k: v for k, v in vars(names).items() if k.isupper()}
    texts += list(_strings(vocabulary))
    tree = ast.parse((root / "render" / "charts.py").read_text(encoding="utf-8"))
    texts += [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    texts += [Quarter(y, q).label for y in range(2019, 2031) for q in range(1, 5)]
    texts += list(ref.settings.grades) + ["综合得分（↑↓—）：%"]
    assert len(texts) > 500
    assert _missing(texts) == []


def test_coverage_check_would_fail():
    assert _missing(["湖滨区", "\u4dc0", "✓"]) == ["✓", "\u4dc0"]


def test_charts_render_without_missing_glyphs(result, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = render_charts(result, tmp_path)
    assert set(paths) == {"ranking_base", "ranking_dept", "verdict_matrix", "domain_coverage", "score_trend"}
    for p in paths.values():
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 10_000
        assert b"Software" not in p.read_bytes()[:4096]


def test_missing_glyph_would_fail(tmp_path):
    """The guard works: a character outside the font raises under simplefilter('error')."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with rc_context(fonts.rc()), warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = Figure()
        FigureCanvasAgg(fig)
        fig.text(0.5, 0.5, "\u4dc0")  # a Yijing hexagram symbol: not in GB2312
        with pytest.raises(UserWarning, match="missing from font"):
            fig.savefig(tmp_path / "x.png")


def test_deterministic_and_trend_optional(result, tmp_path):
    a = render_charts(result, tmp_path / "a")
    b = render_charts(result, tmp_path / "b")
    assert {k: p.read_bytes() for k, p in a.items()} == {k: p.read_bytes() for k, p in b.items()}
    bare = make_result(result.reference, with_extra=False)
    assert "score_trend" not in render_charts(bare, tmp_path / "c")


def _drawn_figures(result, tmp_path, monkeypatch):
    """Every chart's Figure, drawn as saved (charts._save is wrapped to keep them)."""
    from pipeline.render import charts

    figures, save = [], charts._save

    def keep(fig, path):
        figures.append((path.stem, fig))
        return save(fig, path)

    monkeypatch.setattr(charts, "_save", keep)
    render_charts(result, tmp_path)
    return figures


def _texts(fig):
    """The texts drawn: tick labels of ticks outside the axis' view are kept but not drawn."""
    from matplotlib.text import Text

    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick, loc in zip(axis.get_major_ticks(), axis.get_majorticklocs(), strict=False):
                if not lo - 1e-9 <= loc <= hi + 1e-9:
                    hidden.update({id(tick.label1), id(tick.label2)})
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in hidden]


def test_every_label_fits_inside_the_chart(result, tmp_path, monkeypatch):
    """The computed layout (not tight_layout): no tick label, axis label, title or legend
    entry is cut off at the edge of the PNG, and axis labels do not run into tick labels."""
    figures = _drawn_figures(result, tmp_path, monkeypatch)
    assert len(figures) == 5
    for name, fig in figures:
        fig.canvas.draw()  # positions as drawn (at the figure's own dpi: the layout is in inches)
        renderer = fig.canvas.get_renderer()
        frame = fig.bbox
        for text in _texts(fig):
            box = text.get_window_extent(renderer)
            assert frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1, (name, text.get_text())
            assert frame.y0 - 1 <= box.y0 and box.y1 <= frame.y1 + 1, (name, text.get_text())
        for ax in fig.axes:
            ticks = [t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_text()]
            if ax.get_ylabel() and ticks:
                assert ax.yaxis.label.get_window_extent(renderer).x1 <= min(b.x0 for b in ticks), name
            xticks = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
            if ax.get_xlabel() and xticks:
                assert ax.xaxis.label.get_window_extent(renderer).y1 <= min(b.y0 for b in xticks), name


def test_text_width_matches_what_matplotlib_draws():
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from pipeline.render.charts import text_width

    with rc_context(fonts.rc()):
        fig = Figure(dpi=100)
        canvas = FigureCanvasAgg(fig)
        for text, size in (("市人力资源社会保障局", 10), ("2021年二季", 7), ("17. 市扶贫办", 12)):
            drawn = fig.text(0, 0, text, fontsize=size).get_window_extent(canvas.get_renderer()).width / 100
            assert text_width([text], size) == pytest.approx(drawn, rel=0.03), text


def test_trend_highlights_top_and_bottom_each_line_named_no_colour_twice(result, tmp_path, monkeypatch):
    """Small multiples (one panel per group): the rest grey, each group's top and bottom units
    in colours that do not repeat within the chart, each coloured line named at its end."""
    from matplotlib.colors import to_hex

    from pipeline.render.charts import REST_GREY, TREND_HIGHLIGHT

    figures = dict(_drawn_figures(result, tmp_path, monkeypatch))
    fig = figures["score_trend"]
    assert [ax.get_title() for ax in fig.axes] == ["基层政府（灰线为其他单位）", "市直部门（灰线为其他单位）"]
    colours, names = [], set(result.scores["short_name"])
    for ax, group in zip(fig.axes, ("base", "dept"), strict=True):
        lines = [ln for ln in ax.get_lines() if to_hex(ln.get_color()) != REST_GREY.lower()]
        labels = {t.get_text(): to_hex(t.get_color()) for t in ax.texts}
        assert len(lines) == len(labels) <= 2 * TREND_HIGHLIGHT
        assert set(labels) <= names and set(labels.values()) == {to_hex(ln.get_color()) for ln in lines}
        colours += list(labels.values())
        n_units = (result.scores["group"] == group).sum()
        assert len(ax.get_lines()) == n_units  # every unit drawn, grey or coloured
    assert len(colours) == len(set(colours))  # no colour twice in the chart
    # the fixture's base group: 湖滨区, 陕州区 and 灵宝市 on top; 义马市 at the bottom (渑池县 sent nothing)
    base = {t.get_text() for t in fig.axes[0].texts}
    assert base == {"湖滨区", "陕州区", "灵宝市", "义马市"}


def _font_offsets() -> dict[int, int]:
    """This process's descriptors of the chart font → their offsets."""
    import os

    found = {}
    for entry in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{entry}") == str(fonts.FONT_FILE):
                found[int(entry)] = os.lseek(int(entry), 0, os.SEEK_CUR)
        except OSError:
            continue
    return found


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd") or not hasattr(os, "fork"), reason="needs fork and /proc")
def test_a_forked_child_measures_text_in_a_font_file_of_its_own():
    """The chart process's sibling measures labels while the chart process does: an inherited
    font file would share its offset, and each would garble the other's glyphs."""
    from pipeline.processes import Forked
    from pipeline.render import charts

    charts.text_width(["通报"], 8)
    before = _font_offsets()
    assert before  # the measuring font is open here
    rare = bytes(b for i in range(400) for b in (0xC0 + i // 94, 0xA1 + i % 94)).decode("gb2312")

    def child() -> bool:
        return charts.text_width([rare], 8) > 0 and charts._face() is not inherited

    inherited = charts._face()
    assert Forked(child, "test-measure").result()
    assert _font_offsets() == before  # the child read its glyphs through its own descriptor
