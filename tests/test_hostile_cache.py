"""The parsed-return cache never changes a result; a corrupt entry is ignored, not trusted."""

from __future__ import annotations

import dataclasses
import hashlib
import pickle

import pytest
from fixtures_returns import standard_return, write_xlsx
from hostile_corpus import far_cell_xls

from pipeline.dates import parse_quarter
from pipeline.ingest import intake as intake_mod
from pipeline.ingest import read_returns
from pipeline.ingest.cache import _MAGIC
from pipeline.ingest.returns import ParsedReturn

Q = parse_quarter("2020Q3")
TABLES = ("files", "task_progress", "domain_progress", "issues")


@pytest.fixture
def folder(tmp_path, ref):
    folder = tmp_path / "inputs" / "2020Q3"
    write_xlsx(folder / "灵宝市.xlsx", standard_return(ref, "lingbao"))
    write_xlsx(folder / "陕州区.xlsx", standard_return(ref, "shanzhou", status="已完成"))  # dates missing
    (folder / "坏.xlsx").write_bytes(b"not a workbook")
    return folder


@pytest.fixture
def parses(monkeypatch):
    """The files parsed in this process (workers=0), by name."""
    seen = []
    real = intake_mod.read_return

    def counting(path, reference, quarter, name=None):
        seen.append(name)
        return real(path, reference, quarter, name=name)

    monkeypatch.setattr(intake_mod, "read_return", counting)
    return seen


def _same(a, b):
    for table in TABLES:
        assert getattr(a, table).equals(getattr(b, table)), table


def _entries(cache):
    return sorted((cache / "returns").rglob("*.pkl"))


def test_cached_and_uncached_runs_are_identical(folder, ref, tmp_path, parses):
    cache = tmp_path / "cache"
    plain = read_returns(folder, ref, Q, workers=0)
    first = read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    assert len(_entries(cache)) == 3 and len(parses) == 6
    second = read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    assert len(parses) == 6  # nothing parsed again
    _same(first, plain)
    _same(second, plain)


def test_pooled_reading_fills_and_uses_the_same_cache(folder, ref, tmp_path):
    cache = tmp_path / "cache"
    pooled = read_returns(folder, ref, Q, workers=2, cache_dir=cache)
    _same(read_returns(folder, ref, Q, workers=0, cache_dir=cache), pooled)
    _same(pooled, read_returns(folder, ref, Q, workers=0))


def test_a_changed_file_is_parsed_again(folder, ref, tmp_path, parses):
    cache = tmp_path / "cache"
    read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    write_xlsx(folder / "灵宝市.xlsx", standard_return(ref, "lingbao", status="已完成"))
    parses.clear()
    got = read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    assert parses == ["灵宝市.xlsx"]
    _same(got, read_returns(folder, ref, Q, workers=0))


def test_a_renamed_file_or_another_quarter_or_reference_misses(folder, ref, tmp_path, parses):
    cache = tmp_path / "cache"
    read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    (folder / "灵宝市.xlsx").rename(folder / "灵宝市政府.xlsx")
    parses.clear()
    read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    assert parses == ["灵宝市政府.xlsx"]
    parses.clear()
    read_returns(folder, ref, parse_quarter("2020Q4"), workers=0, cache_dir=cache)
    assert len(parses) == 3
    other = dataclasses.replace(ref, settings=ref.settings.replace("reporting", due_day=25))
    parses.clear()
    read_returns(folder, other, Q, workers=0, cache_dir=cache)
    assert len(parses) == 3


def _flip(raw: bytes) -> bytes:
    return raw[:-10] + bytes([raw[-10] ^ 0xFF]) + raw[-9:]


def _forged(raw: bytes) -> bytes:
    """A well-formed entry (right checksum) holding something that is not this file's return."""
    payload = pickle.dumps(ParsedReturn(file="别的文件.xlsx"))
    return _MAGIC + hashlib.sha256(payload).digest() + payload


@pytest.mark.parametrize("damage", [
    lambda raw: raw[: len(raw) // 2],  # torn write
    _flip,                             # a flipped bit
    lambda raw: b"",                   # emptied
    lambda raw: b"\x80\x04garbage" * 10,
    _forged,
])
def test_a_corrupt_entry_is_ignored_and_rewritten(folder, ref, tmp_path, parses, damage):
    cache = tmp_path / "cache"
    plain = read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    for entry in _entries(cache):
        entry.write_bytes(damage(entry.read_bytes()))
    parses.clear()
    got = read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    assert sorted(parses) == sorted(["灵宝市.xlsx", "陕州区.xlsx", "坏.xlsx"])
    _same(got, plain)
    parses.clear()
    read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    assert parses == []  # the entries were rewritten


def test_a_file_whose_worker_crashed_is_not_cached(tmp_path, ref):
    """A crash or timeout may depend on the machine's load: it is retried next run."""
    folder = tmp_path / "2020Q3"
    write_xlsx(folder / "灵宝市.xlsx", standard_return(ref))
    (folder / "陕州区.xls").write_bytes(far_cell_xls())
    cache = tmp_path / "cache"
    got = read_returns(folder, ref, Q, workers=1, cache_dir=cache)
    led = got.files.set_index("file")
    assert led.at["陕州区.xls", "state"] == "rejected" and "内存" in led.at["陕州区.xls", "reason"]
    assert len(_entries(cache)) == 1


def test_an_unwritable_cache_costs_only_speed(folder, ref, tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    _same(read_returns(folder, ref, Q, workers=0, cache_dir=blocker), read_returns(folder, ref, Q, workers=0))
