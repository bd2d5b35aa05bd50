"""The parsed-return cache never changes a result; a corrupt entry is ignored, not trusted."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle

import pytest
from fixtures_returns import standard_return, write_xlsx
from hostile_corpus import far_cell_xls

from pipeline.dates import parse_quarter
from pipeline.ingest import cache as cache_mod
from pipeline.ingest import intake as intake_mod
from pipeline.ingest import read_returns
from pipeline.ingest.cache import read_index
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


def _packs(cache):
    return sorted((cache / "returns").glob("*.pack"))


def _entries(cache):
    """The entries of every pack whose index checks out."""
    return [entry for pack in _packs(cache) for entry in read_index(pack)]


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


@pytest.mark.parametrize("damage", [
    lambda raw: raw[: len(raw) // 2],  # torn write
    _flip,                             # a flipped bit
    lambda raw: b"",                   # emptied
    lambda raw: b"\x80\x04garbage" * 10,
])
def test_a_corrupt_pack_is_ignored_and_rewritten(folder, ref, tmp_path, parses, damage):
    cache = tmp_path / "cache"
    plain = read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    for pack in _packs(cache):
        pack.write_bytes(damage(pack.read_bytes()))
    parses.clear()
    got = read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    assert sorted(parses) == sorted(["灵宝市.xlsx", "陕州区.xlsx", "坏.xlsx"])
    _same(got, plain)
    parses.clear()
    read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    assert parses == []  # the entries were rewritten


def _payloads(pack):
    raw = pack.read_bytes()
    return [(key, raw[offset:offset + length]) for key, offset, length, _ in read_index(pack)]


def _forged(pack, key):
    """A sound pack whose entry for `key` holds, checksum and all, another file's return."""
    forged = pickle.dumps(ParsedReturn(file="别的文件.xlsx"))
    entries = [(k, forged if k == key else payload) for k, payload in _payloads(pack)]
    body, index = b"", b""
    for k, payload in entries:
        index += cache_mod._ENTRY.pack(k, len(body), len(payload), hashlib.sha256(payload).digest())
        body += payload
    pack.write_bytes(body + index + cache_mod._FOOTER.pack(len(index), hashlib.sha256(index).digest())
                     + cache_mod._MAGIC)


def _damaged(change):
    """The entry for `key` changed in place (its checksum left as it was)."""
    def damage(pack, key):
        raw = bytearray(pack.read_bytes())
        (offset, length), = [(o, n) for k, o, n, _ in read_index(pack) if k == key]
        raw[offset:offset + length] = change(bytes(raw[offset:offset + length]))
        pack.write_bytes(bytes(raw))
    return damage


@pytest.mark.parametrize("damage", [
    _damaged(lambda raw: raw[: len(raw) // 2] + bytes(len(raw) - len(raw) // 2)),  # torn
    _damaged(lambda raw: raw[:-10] + bytes([raw[-10] ^ 0xFF]) + raw[-9:]),         # a flipped bit
    _damaged(lambda raw: (b"\x80\x04garbage" * len(raw))[:len(raw)]),
    _forged,
])
def test_a_corrupt_entry_is_ignored_and_written_again(folder, ref, tmp_path, parses, damage):
    """One entry damaged in a pack that is otherwise sound: that file alone is parsed again."""
    cache = tmp_path / "cache"
    plain = read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    (pack,) = _packs(cache)
    key = read_index(pack)[0][0]
    damage(pack, key)
    assert len(read_index(pack)) == 3  # the pack itself still reads
    parses.clear()
    got = read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    assert len(parses) == 1
    _same(got, plain)
    parses.clear()
    read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    assert parses == []  # the entry was written again (in a pack of its own)
    assert len(_packs(cache)) == 2


def test_a_pack_left_by_a_killed_run_is_removed(folder, ref, tmp_path):
    """A run killed while writing leaves its pack under a temporary name: never read, and
    removed by the next run once its process is gone."""
    cache = tmp_path / "cache"
    read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    (pack,) = _packs(cache)
    dead = os.fork()
    if dead == 0:
        os._exit(0)
    os.waitpid(dead, 0)
    left = cache / "returns" / f".{dead}-0123456789ab.pack.tmp"
    left.write_bytes(pack.read_bytes()[:100])
    mine = cache / "returns" / f".{os.getpid()}-0123456789ab.pack.tmp"  # a live run's: kept
    mine.write_bytes(b"")
    _same(read_returns(folder, ref, Q, workers=0, cache_dir=cache), read_returns(folder, ref, Q, workers=0))
    assert not left.exists() and mine.exists()


def test_entries_of_the_one_file_per_entry_layout_are_removed(folder, ref, tmp_path):
    cache = tmp_path / "cache"
    old = cache / "returns" / "ab"
    old.mkdir(parents=True)
    (old / ("ab" + "0" * 62 + ".pkl")).write_bytes(b"zwgk-parsed-return-1\n...")
    _same(read_returns(folder, ref, Q, workers=0, cache_dir=cache), read_returns(folder, ref, Q, workers=0))
    assert not old.exists() and len(_packs(cache)) == 1


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


def test_a_quarter_of_checks_keeps_few_packs_and_every_entry_it_needs(folder, ref, tmp_path, parses, monkeypatch):
    """The office checks after every return that arrives: a pack per check. From COMPACT_FROM
    packs on, the run that writes one folds the others' entries still wanted into it and
    removes them; the next check parses nothing, and reads as a run without a cache."""
    monkeypatch.setattr(cache_mod, "COMPACT_FROM", 3)
    cache = tmp_path / "cache"
    counts = []
    for day in range(7):  # a new version of one return each day: one new entry, one pack
        write_xlsx(folder / "灵宝市.xlsx", standard_return(ref, "lingbao", filled=f"2020-09-{day + 1:02d}"))
        parses.clear()
        read_returns(folder, ref, Q, workers=0, cache_dir=cache)
        assert sorted(parses) == (sorted(["灵宝市.xlsx", "陕州区.xlsx", "坏.xlsx"]) if day == 0 else ["灵宝市.xlsx"])
        counts.append(len(_packs(cache)))
    assert counts == [1, 2, 3, 1, 2, 3, 1]  # the fourth run and the seventh folded three packs into theirs
    # the folded pack holds this folder's three files, not the six earlier versions of 灵宝市
    assert len(_entries(cache)) == 3
    parses.clear()
    again = read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    assert parses == []
    _same(again, read_returns(folder, ref, Q, workers=0))


def test_a_run_that_parses_nothing_new_leaves_the_packs_as_they_are(folder, ref, tmp_path, parses, monkeypatch):
    monkeypatch.setattr(cache_mod, "COMPACT_FROM", 2)
    cache = tmp_path / "cache"
    read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    write_xlsx(folder / "灵宝市.xlsx", standard_return(ref, "lingbao", filled="2020-09-18"))
    read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    before = {p.name: p.read_bytes() for p in _packs(cache)}
    assert len(before) == 2
    read_returns(folder, ref, Q, workers=0, cache_dir=cache)  # nothing to write: nothing folded
    assert {p.name: p.read_bytes() for p in _packs(cache)} == before


def test_folding_skips_a_damaged_entry_and_keeps_the_rest(folder, ref, tmp_path, parses, monkeypatch):
    """An entry that no longer checks out when it is carried over is left behind (parsed
    again next time), never copied."""
    monkeypatch.setattr(cache_mod, "COMPACT_FROM", 1)
    cache = tmp_path / "cache"
    read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    real = cache_mod.ReturnCache._payload
    calls = {"n": 0}

    def flaky(self, path, offset, length, check):
        calls["n"] += 1
        raw = real(self, path, offset, length, check)
        return None if calls["n"] == 4 else raw  # the first entry carried over at close

    monkeypatch.setattr(cache_mod.ReturnCache, "_payload", flaky)
    write_xlsx(folder / "灵宝市.xlsx", standard_return(ref, "lingbao", filled="2020-09-18"))
    read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    assert len(_packs(cache)) == 1 and len(_entries(cache)) == 2
    monkeypatch.setattr(cache_mod.ReturnCache, "_payload", real)
    parses.clear()
    _same(read_returns(folder, ref, Q, workers=0, cache_dir=cache), read_returns(folder, ref, Q, workers=0))
    assert len(parses) == 1 + 3  # the entry left behind, then the run without a cache
