"""XML attacks in workbook parts are refused before parsing; the XML defences are verified."""

from __future__ import annotations

import io
import sys

import pytest
from hostile_corpus import minimal_xlsx, sheet_xml, xml_attack_xlsx
from hostile_workers import stdlib_expands_entities

from pipeline import safety
from pipeline.ingest.isolation import map_isolated
from pipeline.ingest.workbook import UnreadableWorkbook, _check_container, open_book


@pytest.fixture
def fresh_check():
    safety._verified.cache_clear()
    yield
    safety._verified.cache_clear()


@pytest.mark.parametrize("kind", ["billion-laughs", "external-entity", "quadratic"])
def test_a_dtd_in_a_sheet_is_refused_before_any_parser(kind):
    with pytest.raises(UnreadableWorkbook) as err:
        _check_container(xml_attack_xlsx(kind))
    assert err.value.code == "file-unsafe" and "DTD" in str(err.value)


def test_a_dtd_in_utf16_or_in_another_part_is_refused_too():
    xml = sheet_xml({"A1": "x"}, '<!DOCTYPE x [<!ENTITY a "b">]>').replace('encoding="UTF-8"', 'encoding="UTF-16"')
    with pytest.raises(UnreadableWorkbook, match="DTD"):
        _check_container(minimal_xlsx(xml.encode("utf-16-le")))


def test_python_calamine_itself_does_not_expand_entities():
    """What the check guards against costs nothing with calamine (quick-xml leaves entities
    unexpanded and fails); the check is the defence in depth for any other reader."""
    import python_calamine as pc

    for kind in ("billion-laughs", "external-entity", "quadratic"):
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(xml_attack_xlsx(kind)))
        with pytest.raises(Exception, match="entity"):
            wb.get_sheet_by_name(wb.sheet_names[0]).to_python()


def test_a_plain_minimal_workbook_still_opens():
    book = open_book(minimal_xlsx(sheet_xml({"A1": "任务编号", "B2": "&amp;"})))
    assert book.sheet("任务进展").rows == [["任务编号", ""], ["", "&"]]


def test_the_defences_are_active_here(fresh_check):
    safety.verify_xml_defences()


def test_openpyxl_without_defusedxml_is_refused(fresh_check, monkeypatch):
    import openpyxl  # loaded: checked live

    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    with pytest.raises(safety.UnsafeEnvironment, match="defusedxml"):
        safety.verify_xml_defences()


def test_a_missing_defusedxml_is_refused(fresh_check, monkeypatch):
    monkeypatch.setitem(sys.modules, "defusedxml.ElementTree", None)  # import fails
    with pytest.raises(safety.UnsafeEnvironment, match="缺少 defusedxml"):
        safety.verify_xml_defences()


def test_an_expanding_parser_is_detected(fresh_check, monkeypatch):
    import xml.etree.ElementTree as ET

    import defusedxml.ElementTree as safe_et

    monkeypatch.setattr(safe_et, "fromstring", ET.fromstring)  # as if defusedxml did nothing
    with pytest.raises(safety.UnsafeEnvironment, match="未拒绝"):
        safety.verify_xml_defences()


def test_the_switch_that_turns_openpyxl_defusedxml_off_is_refused(fresh_check, monkeypatch):
    monkeypatch.delitem(sys.modules, "openpyxl")  # not loaded yet: the environment is checked
    monkeypatch.setenv("OPENPYXL_DEFUSEDXML", "False")
    with pytest.raises(safety.UnsafeEnvironment, match="OPENPYXL_DEFUSEDXML"):
        safety.verify_xml_defences()


def test_read_returns_will_not_start_without_the_defences(fresh_check, monkeypatch, tmp_path, ref):
    import openpyxl

    from pipeline.dates import parse_quarter
    from pipeline.ingest import read_returns

    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    with pytest.raises(safety.UnsafeEnvironment):
        read_returns(tmp_path, ref, parse_quarter("2020Q3"))


def test_worker_processes_run_with_the_stdlib_defused():
    assert stdlib_expands_entities(None)  # this process: stdlib untouched
    (inside,) = dict(map_isolated(stdlib_expands_entities, [(None,)], workers=1,
                                  initializer=safety.defuse_process)).values()
    assert inside is False


def test_far_cells_split_across_chunks_still_make_the_grid():
    """Z5 in one chunk and A100000 in the next: a 26 × 100,000 grid although neither chunk
    alone is far in both directions (a part of several chunks is scanned cell by cell)."""
    from pipeline.ingest.workbook import MAX_CELLS, _Extent

    extent = _Extent(whole=False)
    extent.scan(b'<c r="Z5" t="s"><v>0</v></c>')
    extent.scan(b'<c r="A100000" t="s"><v>0</v></c>')
    assert extent.cells == 26 * 100_000 > MAX_CELLS and extent.far == "Z100000"
    near = _Extent(whole=True)
    near.scan(b'<c r="A1"><v>1</v></c><c r="H40"><v>2</v></c>')
    assert near.cells < MAX_CELLS
