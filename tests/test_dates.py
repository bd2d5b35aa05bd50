"""Deadline, date and quarter parsers: the literal texts of 附件2 plus property tests."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.dates import Quarter, last_day, parse_date, parse_deadline, parse_quarter

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize("text,expected", [
    ("2020年5月底", dt.date(2020, 5, 31)),
    ("2020年6月底", dt.date(2020, 6, 30)),
    ("2020年7月底", dt.date(2020, 7, 31)),
    ("2020年11月底", dt.date(2020, 11, 30)),
    ("2020年底", dt.date(2020, 12, 31)),
    ("2021年3月底", dt.date(2021, 3, 31)),
    ("2021年6月底", dt.date(2021, 6, 30)),
    ("2022年4月", dt.date(2022, 4, 30)),
    ("2022年6月", dt.date(2022, 6, 30)),
    ("2022年底", dt.date(2022, 12, 31)),
    ("2020年年底", dt.date(2020, 12, 31)),
    ("2020年10月底前", dt.date(2020, 10, 31)),
    ("2024年2月", dt.date(2024, 2, 29)),
    (" ２０２０年 5 月底 ", dt.date(2020, 5, 31)),
    ("持续推进", None),
])
def test_annex2_texts(text, expected):
    assert parse_deadline(text) == expected


@pytest.mark.parametrize("text", ["尽快", "2020年13月", "2020-05-31", "", "5月底", "2020年5月31日"])
def test_bad_deadlines_name_the_text(text):
    with pytest.raises(ValueError, match="时间进度"):
        parse_deadline(text)


@given(st.integers(1990, 2100), st.integers(1, 12), st.sampled_from(["月底", "月", "月底前", "月前"]),
       st.booleans(), st.booleans())
def test_month_forms_give_last_day(year, month, suffix, fullwidth, spaced):
    text = f"{year}年{month}{suffix}"
    if fullwidth:
        text = text.translate(FULLWIDTH)
    if spaced:
        text = " ".join(text)
    assert parse_deadline(text) == last_day(year, month)


@given(st.integers(1990, 2100), st.sampled_from(["年底", "年年底", "年底前"]))
def test_year_end_forms(year, suffix):
    assert parse_deadline(f"{year}{suffix}") == dt.date(year, 12, 31)


@given(st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)))
def test_date_forms_round_trip(d):
    forms = [d, dt.datetime(d.year, d.month, d.day), f"{d:%Y-%m-%d}", f"{d.year}/{d.month}/{d.day}",
             f"{d.year}.{d.month}.{d.day}", f"{d.year}年{d.month}月{d.day}日", f"{d:%Y%m%d}",
             (d - dt.date(1899, 12, 30)).days, float((d - dt.date(1899, 12, 30)).days),
             f"{d.year}年{d.month}月{d.day}日".translate(FULLWIDTH)]
    assert {parse_date(f) for f in forms} == {d}


@pytest.mark.parametrize("value", ["2020-02-30", "五月底", "2020年5月", "abc", True, 12.5])
def test_bad_dates_raise(value):
    with pytest.raises(ValueError):
        parse_date(value)


def test_empty_dates_are_none():
    assert parse_date(None) is None and parse_date("  ") is None and parse_date(float("nan")) is None


@pytest.mark.parametrize("text", ["2021Q1", "2021-Q1", "2021q1", "2021年第一季度", "2021年第1季度", " 2021Q1 "])
def test_quarter_spellings(text):
    q = parse_quarter(text)
    assert q == Quarter(2021, 1) and str(q) == "2021Q1" and q.due_date() == dt.date(2021, 3, 20)


def test_quarter_arithmetic():
    assert Quarter(2021, 1).previous() == Quarter(2020, 4)
    assert Quarter(2020, 4).label == "2020年第四季度"
    assert Quarter(2020, 2).end == dt.date(2020, 6, 30)
    with pytest.raises(ValueError):
        parse_quarter("2021Q5")
