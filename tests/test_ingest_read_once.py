"""Reading a return opens its zip once and matches headers once per distinct text, with the
same results as reading each part again; the cache gets an entry for a pooled worker's result
once the result has reached the parent, so an input whose worker dies leaves no entry behind."""

from __future__ import annotations

import io
import os
import pickle
import warnings
import zipfile

import pytest
from fixtures_returns import standard_return, write_xlsx
from hostile_corpus import SHEET_PART, minimal_xlsx, sheet_xml
from hypothesis import given
from hypothesis import strategies as st

from pipeline.dates import parse_quarter
from pipeline.ingest import intake as intake_mod
from pipeline.ingest import read_returns
from pipeline.ingest import workbook as W
from pipeline.ingest.cache import read_index
from pipeline.textnorm import norm

Q = parse_quarter("2020Q3")
TABLES = ("files", "task_progress", "domain_progress", "issues")
ERROR_SHEET = ('<?xml version="1.0" encoding="UTF-8"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
               '<row r="1"><c r="A1" t="inlineStr"><is><t>任务编号</t></is></c>'
               '<c r="B1" t="e"><v>#REF!</v></c><c r="C1"><f>SUM(X1:X2)</f></c></row>'
               "</sheetData></worksheet>")


# --- the zip is read once ------------------------------------------------------------------
def test_error_cells_come_from_the_parts_the_check_inflated(monkeypatch):
    """No second ZipFile once the check has run: the error pass reads what it kept."""
    data = minimal_xlsx(ERROR_SHEET)
    book = W.Book(data)
    monkeypatch.setattr(W.zipfile, "ZipFile", None)  # any reopening would fail
    assert book.sheet("任务进展").rows == [["任务编号", "#REF!", "=SUM(X1:X2)"]]
    assert [type(v).__name__ for v in book.sheet("任务进展").rows[0]] == ["str", "CellError", "CellError"]


def test_a_part_past_the_keeping_budget_is_inflated_again_with_the_same_errors(monkeypatch):
    monkeypatch.setattr(W, "_KEEP_BYTES", 10)  # nothing fits: every worksheet part is re-read
    book = W.Book(minimal_xlsx(ERROR_SHEET))
    assert SHEET_PART not in book._package.parts and SHEET_PART in book._package.names
    assert book.sheet("任务进展").rows == [["任务编号", "#REF!", "=SUM(X1:X2)"]]


def test_a_part_stored_twice_reads_as_its_last_entry_as_zipfile_reads_it():
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            with zipfile.ZipFile(io.BytesIO(minimal_xlsx(sheet_xml({"A1": "任务编号"})))) as src:
                for info in src.infolist():
                    z.writestr(info.filename, src.read(info))
            z.writestr(SHEET_PART, ERROR_SHEET)
    data = buf.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.read(SHEET_PART) == ERROR_SHEET.encode()  # what the reader must agree with
    package = W._check_container(data)
    assert package.parts[SHEET_PART] == ERROR_SHEET.encode()


def test_a_package_without_a_sheet_map_gives_the_error_pass_nothing():
    """An ODS-like package (no xl/workbook.xml): no sheet map, so no part is looked at."""
    assert W.sheet_parts(b"", W._Package()) == {}


# --- the cheaper screens are the old ones --------------------------------------------------
_OLD_EDGE = W._EDGE_PUNCT


@given(st.text(alphabet=st.sampled_from(list("*＊※:：。.任务编号ab（(【 \u3000\n")), max_size=12))
def test_edge_stripping_equals_the_regex_on_normalised_text(text):
    key = norm(text)
    assert W._strip_edges(key) == _OLD_EDGE.sub("", key)


def _old_screen(part: bytes) -> bool:
    return b't="e"' in part or any(m in part for m in (b"<f>", b"<f ", b":f>", b":f "))


@given(st.lists(st.sampled_from([b"f", b"<", b":", b">", b" ", b't="e"', b"t=", b"e", b"x", b"ff"]),
                max_size=300))
def test_the_error_screen_equals_the_four_searches(pieces):
    part = b"".join(pieces)
    assert W._may_hold_errors(part) == _old_screen(part)


def test_a_part_full_of_fs_is_screened_all_the_same():
    assert not W._may_hold_errors(b"f" * 10_000)
    assert W._may_hold_errors(b"f" * 10_000 + b"<f>")
    assert W._may_hold_errors(b"f" * 10_000 + b't="e"')


# --- header matching ------------------------------------------------------------------------
SYN = {"任务编号": ["任务编号", "序号"], "完成状态": ["完成状态", "状态"], "备注": ["备注"]}


def test_a_full_header_stops_the_search_and_a_tie_below_keeps_the_first():
    sheet = W.Sheet("s", [["标题"], ["序号", "状态"], ["任务编号", "完成状态", "备注"],
                          ["任务编号", "完成状态", "备注"]])
    assert W.find_header(sheet, SYN, ["任务编号", "完成状态"]) == (2, {"任务编号": 0, "完成状态": 1, "备注": 2})


def test_a_partial_header_is_beaten_by_a_fuller_one_below():
    sheet = W.Sheet("s", [["序号", "状态"], ["x", "y"], ["任务编号", "完成状态", "备注"]])
    assert W.find_header(sheet, SYN, ["任务编号", "完成状态"]) == (2, {"任务编号": 0, "完成状态": 1, "备注": 2})


def test_matching_the_same_text_twice_gives_the_same_columns():
    row = ["任务编号（必填）", "完成状态:", "", 3.0, "备注"]
    first = W.match_columns(row, SYN)
    assert W.match_columns(row, SYN) == first == {"任务编号": 0, "完成状态": 1, "备注": 4}


# --- the cache, of the results the workers hand back ---------------------------------------
@pytest.fixture
def folder(tmp_path, ref):
    folder = tmp_path / "inputs" / "2020Q3"
    write_xlsx(folder / "灵宝市.xlsx", standard_return(ref, "lingbao"))
    write_xlsx(folder / "陕州区.xlsx", standard_return(ref, "shanzhou", status="已完成"))
    (folder / "坏.xlsx").write_bytes(b"not a workbook")
    return folder


def _entries(cache):
    return [entry for pack in sorted((cache / "returns").glob("*.pack")) for entry in read_index(pack)]


def _staged(cache):
    """Packs left half-written."""
    return sorted(p for p in (cache / "returns").rglob("*") if p.name.endswith(".tmp"))


def test_pooled_reading_caches_every_entry_and_leaves_nothing_half_written(folder, ref, tmp_path):
    cache = tmp_path / "cache"
    pooled = read_returns(folder, ref, Q, workers=2, cache_dir=cache)
    assert len(_entries(cache)) == 3 and _staged(cache) == []
    plain = read_returns(folder, ref, Q, workers=0)
    for table in TABLES:
        assert getattr(pooled, table).equals(getattr(plain, table)), table


def test_a_worker_that_dies_after_reading_leaves_no_entry(folder, ref, tmp_path, monkeypatch):
    """The result is pickled, then the worker dies before it reaches the parent: the file is
    rejected this run, so no entry may say otherwise next run (the workers are forked)."""
    real = intake_mod.dumps

    def pickle_then_die(value):
        payload = real(value)
        if pickle.loads(payload).file == "陕州区.xlsx":
            os._exit(3)
        return payload

    monkeypatch.setattr(intake_mod, "dumps", pickle_then_die)
    cache = tmp_path / "cache"
    got = read_returns(folder, ref, Q, workers=1, cache_dir=cache)
    assert got.files.set_index("file").at["陕州区.xlsx", "state"] == "rejected"
    assert len(_entries(cache)) == 2 and _staged(cache) == []
    monkeypatch.undo()
    again = read_returns(folder, ref, Q, workers=0, cache_dir=cache)
    assert again.files.set_index("file").at["陕州区.xlsx", "state"] == "accepted"


def test_a_warm_pooled_run_reads_every_file_from_the_cache(folder, ref, tmp_path, monkeypatch):
    """The workers hash and look up each file themselves: nothing is parsed again."""
    cache = tmp_path / "cache"
    cold = read_returns(folder, ref, Q, workers=2, cache_dir=cache)

    def no_parsing(*args):
        raise AssertionError("parsed again")

    monkeypatch.setattr(intake_mod, "_read_in_worker", no_parsing)
    warm = read_returns(folder, ref, Q, workers=2, cache_dir=cache)
    for table in TABLES:
        assert getattr(warm, table).equals(getattr(cold, table)), table
    write_xlsx(folder / "灵宝市.xlsx", standard_return(ref, "lingbao", status="已完成"))
    changed = read_returns(folder, ref, Q, workers=2, cache_dir=cache).files.set_index("file")
    assert "parsed again" in changed.at["灵宝市.xlsx", "reason"]  # only the changed file was
    assert set(changed.index[changed["state"] == "accepted"]) == {"陕州区.xlsx"}


@pytest.mark.parametrize("workers", [0, 2])
def test_a_file_that_changed_after_it_was_hashed_is_not_cached(folder, ref, tmp_path, monkeypatch, workers):
    """The key looked up is the hash taken before the worker reads the file: an entry is
    written only when the bytes parsed are the bytes hashed."""
    cache = tmp_path / "cache"
    write_xlsx(folder / "旧.xlsx", standard_return(ref, "lingbao"))
    read_returns(folder, ref, Q, workers=0, cache_dir=cache)  # entries to look up: files are hashed
    (folder / "旧.xlsx").unlink()
    before = _entries(cache)
    write_xlsx(folder / "灵宝市.xlsx", standard_return(ref, "lingbao", status="已完成"))  # a miss
    monkeypatch.setattr(intake_mod, "_sha256", lambda path: "0" * 64)  # as if changed since
    got = read_returns(folder, ref, Q, workers=workers, cache_dir=cache)
    assert set(got.files["state"]) == {"accepted", "rejected"}
    assert _entries(cache) == before and _staged(cache) == []


@pytest.mark.parametrize("workers", [0, 2])
def test_with_nothing_to_look_up_the_files_are_hashed_once(folder, ref, tmp_path, monkeypatch, workers):
    """A first run (no entry for this reader, reference and quarter) does not hash the files
    to look them up: the entries are keyed by the hash the reader took of the bytes it parsed."""
    cache = tmp_path / "cache"

    def no_hashing(path):
        raise AssertionError("hashed to look up")

    monkeypatch.setattr(intake_mod, "_sha256", no_hashing)
    cold = read_returns(folder, ref, Q, workers=workers, cache_dir=cache)
    assert len(_entries(cache)) == 3
    monkeypatch.undo()

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(intake_mod, "read_return", no_parsing)
    warm = read_returns(folder, ref, Q, workers=workers, cache_dir=cache)
    for table in TABLES:
        assert getattr(warm, table).equals(getattr(cold, table)), table
    assert cold.files["sha256"].str.len().eq(64).all()


# --- progress rows gathered as the results come in -----------------------------------------
@given(st.permutations(range(6)))
def test_rows_gathered_in_any_order_of_results_keep_the_folders_order(order):
    """Results come back in any order (one file still being read holds back those after it);
    the tables are those of all rows in the folder's order, without the rejected files'."""

    def result(i):
        p = intake_mod.ParsedReturn(file=f"{i}.xlsx", reason="拒收" if i == 3 else "")
        p.task_rows = [intake_mod.row_tuple("task_progress", {"task_id": 10 * i + k, "file": p.file,
                                                               "note": f"第{k}行" if k else None})
                       for k in range(i % 3)]
        p.domain_rows = [intake_mod.row_tuple("domain_progress", {"domain_id": i, "url": "u"})] if i % 2 else []
        return p

    parsed = []
    rows = intake_mod._Rows(parsed)
    for i in range(6):
        parsed.append(intake_mod.ParsedReturn(file=f"{i}.xlsx"))
        rows.pending()
    for i in order:
        parsed[i] = result(i)
        rows.finished(i)
    readable = [result(i) for i in range(6) if i != 3]
    for table, attr in (("task_progress", "task_rows"), ("domain_progress", "domain_rows")):
        expected = intake_mod._frame(table, [r for p in readable for r in getattr(p, attr)])
        assert rows.frame(table).equals(expected), table
