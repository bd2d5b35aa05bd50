"""Chart PNGs: the bundled CJK font draws every glyph (a missing glyph fails the test)."""

from __future__ import annotations

import warnings

import pytest
from render_fixture import make_result

from pipeline.render import fonts
from pipeline.render.charts import render_charts


@pytest.fixture(scope="module")
def result(ref):
    return make_result(ref)


def test_font_is_bundled_small_and_licensed():
    assert fonts.FONT_FILE.exists() and (fonts.FONT_FILE.parent / "OFL.txt").exists()
    assert fonts.FONT_FILE.stat().st_size < 4_000_000
    assert fonts.register() == fonts.FAMILY
    from matplotlib import font_manager

    assert font_manager.findfont(fonts.FAMILY, fallback_to_default=False) == str(fonts.FONT_FILE)


def test_font_covers_reference_and_vocabulary(ref):
    from pipeline import names

    texts = list(ref.units["name"]) + list(ref.units["short_name"]) + list(ref.domains["name"])
    texts += list(names.VERDICT_LABELS.values()) + list(names.CATALOGUE_STATUS_LABELS.values())
    texts += ["综合得分（↑↓—）：", "2021年第一季度"]
    assert fonts.has_glyphs("".join(texts))


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
