"""Property tests of the cell parsers the reader relies on: task numbers and dates; and of the
text columns its rows become."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.dates import parse_date
from pipeline.ingest.returns import _text, parse_code, parse_count
from pipeline.ingest.workbook import CellError, is_blank
from pipeline.textnorm import norm

FULL = str.maketrans("0123456789", "０１２３４５６７８９")


@given(st.integers(0, 9999), st.sampled_from(["", " ", "\u3000", "\xa0"]))
def test_task_numbers_in_every_spelling(n, pad):
    for value in (n, float(n), str(n), f"{n}.0", str(n).translate(FULL), f"{pad}{n}{pad}", f"第{n}项"):
        assert parse_code(value) == n


@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: not x.is_integer()))
def test_fractional_numbers_are_rejected(x):
    with pytest.raises(ValueError):
        parse_code(x)


@given(st.text(alphabet="abc基本完成-/", min_size=1))
def test_words_are_not_numbers(text):
    with pytest.raises(ValueError):
        parse_code(text)


def test_chinese_numerals_and_empty():
    assert [parse_code(v) for v in ("三", "十二", "十", "", None, "  ")] == [3, 12, 10, None, None, None]
    assert parse_count("35项") == 35
    with pytest.raises(ValueError):
        parse_count(-1)


@given(st.dates(min_value=dt.date(1960, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_every_date_form(d):
    forms = [d, dt.datetime(d.year, d.month, d.day), d.isoformat(), f"{d.year}/{d.month}/{d.day}",
             f"{d.year}.{d.month}.{d.day}", f"{d.year}年{d.month}月{d.day}日",
             f"{d.year}年{d.month}月{d.day}日".translate(FULL), f" {d.isoformat()} "]
    for value in forms:
        assert parse_date(value) == d
    serial = (d - dt.date(1899, 12, 30)).days
    if 20000 <= serial <= 80000:
        assert parse_date(serial) == d and parse_date(float(serial)) == d


@given(st.text(alphabet="年月日底号上中下旬", min_size=1))
def test_vague_dates_are_rejected(text):
    with pytest.raises(ValueError):
        parse_date(text)


# Cells made of every kind of space, invisible marks and the odd visible character, any length.
_SPACEY = st.text(alphabet=st.sampled_from([" ", "\t", "\n", "\u3000", "\xa0", "\u2002", "\u2007", "\u202f",
                                            "\u200b", "\ufeff", "\u1680", "\u00a8", "\uff0d", "-", "x", "一"]),
                  max_size=80)


@given(st.one_of(_SPACEY, st.text(max_size=80)))
def test_blank_means_nothing_left_once_normalised(text):
    # is_blank takes a shortcut on a visible first character; it must agree with norm everywhere.
    assert is_blank(text) == (not norm(text))


_TEXT_VALUES = st.one_of(st.none(), st.text(), st.text().map(CellError), st.integers(), st.floats(),
                         st.binary(), st.booleans(), st.dates())


@given(st.one_of(st.lists(_TEXT_VALUES, max_size=30),
                 st.lists(st.one_of(st.none(), st.text(), st.text().map(CellError)), max_size=30)))
def test_text_columns_keep_str_and_nothing_else(values):
    """A text column (pyarrow straight from the values when they are all str or None) is what
    pandas makes of the str values with everything else missing."""
    expected = pd.Series(pd.array([v if isinstance(v, str) else None for v in values], dtype="string"))
    got = pd.Series(_text(tuple(values)))
    assert got.dtype == expected.dtype
    pd.testing.assert_series_equal(got, expected, check_exact=True)
