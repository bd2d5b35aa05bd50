"""反馈/ written again from the cache: a workbook whose content is that of one written before is
copied, byte for byte; whatever changed is written anew, and nothing stale is ever copied."""

from __future__ import annotations

import pytest
from render_fixture import make_result

from pipeline.processes import can_fork
from pipeline.render import feedback


@pytest.fixture(scope="module")
def result(ref):
    return make_result(ref)


class Rendered:
    """The names of the workbooks xlsxwriter wrote (not copied from the cache), in this process
    or in the forked half's: logged to a file both append to."""

    def __init__(self, log):
        self.log = log

    def names(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def clear(self) -> None:
        self.log.unlink(missing_ok=True)


@pytest.fixture()
def rendered(monkeypatch, tmp_path):
    log, workbook = Rendered(tmp_path / "rendered.log"), feedback._workbook

    def counting(path, *args):
        with open(log.log, "a") as f:
            f.write(path.name + "\n")
        return workbook(path, *args)

    monkeypatch.setattr(feedback, "_workbook", counting)
    return log


def _write(result, out, cache, issues=None):
    paths = feedback.write_feedback(out, result.reference, result.quarter,
                                    result.issues if issues is None else issues,
                                    result.reconciliation, result.ledger, cache_dir=cache)
    return {p.name: p.read_bytes() for p in paths}


def _entries(cache, result):
    return sorted(p.name for p in (cache / "feedback" / str(result.quarter)).iterdir())


def test_the_second_write_copies_every_workbook_byte_for_byte(result, tmp_path, rendered):
    plain = _write(result, tmp_path / "plain", None)
    first = _write(result, tmp_path / "a", tmp_path / "cache")
    assert first == plain and len(rendered.names()) == 2 * len(plain)  # the cache changes no byte
    rendered.clear()
    assert _write(result, tmp_path / "b", tmp_path / "cache") == first
    assert rendered.names() == []
    assert len(_entries(tmp_path / "cache", result)) == len(first)


def test_a_changed_unit_is_written_anew_and_its_old_entry_goes(result, tmp_path, rendered):
    cache = tmp_path / "cache"
    before = _write(result, tmp_path / "a", cache)
    old_entries = set(_entries(cache, result))
    issues = result.issues.copy()
    unit = issues["unit_id"].dropna().iloc[0]
    issues.loc[issues["unit_id"] == unit, "message"] = "完成时间无法识别，请改为日期"
    rendered.clear()
    after = _write(result, tmp_path / "b", cache, issues)
    name = f"{result.reference.units.set_index('unit_id').loc[unit, 'short_name']}.xlsx"
    assert rendered.names() == [name]
    assert after[name] != before[name] and {k: v for k, v in after.items() if k != name} == \
        {k: v for k, v in before.items() if k != name}
    now = set(_entries(cache, result))
    assert len(now) == len(old_entries) and len(now - old_entries) == 1  # replaced, not added


def test_a_damaged_entry_is_not_used(result, tmp_path, rendered):
    cache = tmp_path / "cache"
    first = _write(result, tmp_path / "a", cache)
    victim = cache / "feedback" / str(result.quarter) / _entries(cache, result)[0]
    whole = victim.read_bytes()
    victim.write_bytes(whole[:100])  # torn
    rendered.clear()
    assert _write(result, tmp_path / "b", cache) == first
    assert len(rendered.names()) == 1 and victim.read_bytes() == whole  # written again, whole
    rendered.clear()
    assert _write(result, tmp_path / "c", cache) == first and rendered.names() == []  # whole again


def test_an_output_edited_in_place_is_never_copied_back(result, tmp_path, rendered):
    cache = tmp_path / "cache"
    first = _write(result, tmp_path / "a", cache)
    name = sorted(first)[0]
    (tmp_path / "a" / feedback.FEEDBACK_DIR / name).write_bytes(b"edited by hand")
    assert _write(result, tmp_path / "b", cache) == first


def test_a_new_layout_or_xlsxwriter_writes_everything_again(result, tmp_path, rendered, monkeypatch):
    cache = tmp_path / "cache"
    first = _write(result, tmp_path / "a", cache)
    monkeypatch.setattr(feedback, "_layout_fingerprint", lambda: "another layout")
    rendered.clear()
    assert _write(result, tmp_path / "b", cache) == first
    assert len(rendered.names()) == len(first)
    assert len(_entries(cache, result)) == len(first)  # the old layout's entries went


@pytest.mark.skipif(not can_fork(), reason="needs fork and two CPUs")
def test_split_writers_fill_and_use_the_cache(result, tmp_path, rendered, monkeypatch):
    monkeypatch.setattr(feedback, "SPLIT_FROM", 2)
    cache = tmp_path / "cache"
    first = _write(result, tmp_path / "a", cache)
    assert sorted(rendered.names()) == sorted(first)  # both halves wrote theirs
    assert len(_entries(cache, result)) == len(first)  # the forked half kept its entries too
    rendered.clear()
    assert _write(result, tmp_path / "b", cache) == first and rendered.names() == []


def test_an_unwritable_cache_only_costs_speed(result, tmp_path, rendered):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the folder should be")
    plain = _write(result, tmp_path / "plain", None)
    assert _write(result, tmp_path / "a", blocked) == plain


def test_outputs_and_entries_are_one_file_not_two_copies(result, tmp_path, rendered):
    import os

    cache = tmp_path / "cache"
    _write(result, tmp_path / "a", cache)
    _write(result, tmp_path / "b", cache)
    folder = cache / "feedback" / str(result.quarter)
    inodes = {os.stat(folder / name).st_ino for name in _entries(cache, result)}
    for out in ("a", "b"):
        assert {os.stat(p).st_ino for p in (tmp_path / out / feedback.FEEDBACK_DIR).iterdir()} == inodes


def test_a_link_planted_at_the_temporary_name_is_not_written_through(tmp_path):
    import os

    from pipeline.outputs import replace_with

    outside = tmp_path / "outside.txt"
    outside.write_text("不应被改写")
    source = tmp_path / "source.xlsx"
    source.write_bytes(b"PK workbook")
    target = tmp_path / "folder" / "entry.xlsx"
    target.parent.mkdir()
    (target.parent / f".{target.name}.{os.getpid()}.tmp").symlink_to(outside)
    replace_with(target, source.read_bytes(), link_from=source)
    assert target.read_bytes() == b"PK workbook" and outside.read_text() == "不应被改写"
    assert [p.name for p in target.parent.iterdir()] == ["entry.xlsx"]


def test_into_an_existing_folder_each_workbook_replaces_its_file(result, tmp_path, rendered):
    import os

    plain = _write(result, tmp_path / "plain", None)
    folder = tmp_path / "a" / feedback.FEEDBACK_DIR
    folder.mkdir(parents=True)
    first, second = sorted(plain)[:2]
    (folder / first).write_bytes(b"an old workbook")
    outside = tmp_path / "outside.txt"
    outside.write_text("不应被改写")
    (folder / second).symlink_to(outside)  # a link where a workbook goes is replaced, not written through
    assert _write(result, tmp_path / "a", None) == plain
    assert outside.read_text() == "不应被改写" and not os.path.islink(folder / second)
    assert sorted(p.name for p in folder.iterdir()) == sorted(plain)  # no temporary file left


def test_a_new_file_is_never_written_through_a_link_planted_at_its_name(tmp_path):
    import pytest

    from pipeline.outputs import write_new

    outside = tmp_path / "outside.txt"
    outside.write_text("不应被改写")
    (tmp_path / "new.xlsx").symlink_to(outside)
    with pytest.raises(FileExistsError):
        write_new(tmp_path / "new.xlsx", b"PK")
    assert outside.read_text() == "不应被改写"
