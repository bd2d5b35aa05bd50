"""Another quarter's return in this quarter's folder (DESIGN §4): stale returns are rejected and
the unit counts as not having sent this quarter's return; other stated quarters are errors."""

from __future__ import annotations

import shutil

import pandas as pd
from fixtures_returns import standard_return, write_xlsx

from pipeline import stages
from pipeline.dates import Quarter
from pipeline.workspace import Workspace

Q2, Q3 = Quarter(2020, 2), Quarter(2020, 3)  # Q2 due 2020-06-20, Q3 due 2020-09-20


def quarter_folder(tmp_path, q):
    f = tmp_path / "inputs" / str(q)
    f.mkdir(parents=True)
    return f


def decided(folder, ref, quarter, earlier=None):
    return stages.reconcile(stages.intake(folder, ref, quarter), ref, quarter, earlier=earlier)


def row(rec, file):
    return rec.ledger.set_index("file").loc[file]


def issues(rec, file):
    i = rec.issues[rec.issues["file"] == file]
    return list(zip(i["code"], i["severity"], i["cell"].fillna(""), strict=True))


def test_last_quarters_return_with_its_old_date_is_rejected(tmp_path, ref):
    f = quarter_folder(tmp_path, Q3)
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref, quarter="2020年第二季度", filled="2020-06-18"))
    rec = decided(f, ref, Q3)
    r = row(rec, "灵宝市.xlsx")
    assert r["state"] == "rejected" and "2020年第二季度的报表" in r["reason"]
    assert issues(rec, "灵宝市.xlsx") == [("return-stale", "error", "B3")]
    assert rec.reconciliation.loc[rec.reconciliation["unit_id"] == "lingbao", "verdict"].eq("unreported").all()


def test_earlier_stated_quarter_without_filled_on_is_stale(tmp_path, ref):
    f = quarter_folder(tmp_path, Q3)
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref, quarter="2020Q2", filled=""))
    assert row(decided(f, ref, Q3), "灵宝市.xlsx")["state"] == "rejected"


def test_earlier_stated_quarter_filled_after_its_due_date_is_an_error_not_stale(tmp_path, ref):
    f = quarter_folder(tmp_path, Q3)
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref, quarter="2020年第二季度", filled="2020-06-21"))
    rec = decided(f, ref, Q3)
    assert row(rec, "灵宝市.xlsx")["state"] == "accepted"
    assert issues(rec, "灵宝市.xlsx") == [("quarter-mismatch", "error", "B3")]


def test_stated_quarter_on_its_due_date_is_stale(tmp_path, ref):
    f = quarter_folder(tmp_path, Q3)
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref, quarter="2020年第二季度", filled="2020-06-20"))
    assert row(decided(f, ref, Q3), "灵宝市.xlsx")["state"] == "rejected"


def test_later_or_unreadable_stated_quarter_is_an_error(tmp_path, ref):
    f = quarter_folder(tmp_path, Q3)
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref, quarter="2020年第四季度"))
    write_xlsx(f / "湖滨区.xlsx", standard_return(ref, "hubin", quarter="三季度吧"))
    rec = decided(f, ref, Q3)
    assert issues(rec, "灵宝市.xlsx") == [("quarter-mismatch", "error", "B3")]
    assert issues(rec, "湖滨区.xlsx") == [("quarter-mismatch", "error", "B3")]
    assert set(rec.ledger["state"]) == {"accepted"}


def test_stale_return_does_not_supersede_this_quarters_return(tmp_path, ref):
    f = quarter_folder(tmp_path, Q3)
    write_xlsx(f / "灵宝市.xlsx", standard_return(ref, filled="2020-09-10"))
    write_xlsx(f / "灵宝市（二季度）.xlsx", standard_return(ref, quarter="2020年第二季度", filled="2020-06-18"))
    rec = decided(f, ref, Q3)
    assert row(rec, "灵宝市.xlsx")["state"] == "accepted"
    assert row(rec, "灵宝市（二季度）.xlsx")["state"] == "rejected"


def test_same_bytes_as_an_earlier_quarters_return_renamed_is_rejected(tmp_path, ref):
    """Sent again under a new name with this quarter written in it: the bytes tell."""
    q2, q3 = quarter_folder(tmp_path, Q2), quarter_folder(tmp_path, Q3)
    write_xlsx(q2 / "灵宝市.xlsx", standard_return(ref, quarter="2020年第三季度", filled="2020-06-15"))
    shutil.copy(q2 / "灵宝市.xlsx", q3 / "灵宝市三季度.xlsx")
    ws = Workspace(tmp_path)
    earlier = stages.earlier_returns(q3, ref, Q3)
    assert list(earlier["quarter"]) == ["2020Q2"]
    rec = decided(q3, ref, Q3, earlier)
    r = row(rec, "灵宝市三季度.xlsx")
    assert r["state"] == "rejected" and "2020年第二季度已接收的报表完全相同" in r["reason"]
    # the run threads the earlier quarters' ledgers through compute_quarters
    result = stages.compute_quarter(ws, Q3, ref, cache=False)
    assert result.ledger.set_index("file").loc["灵宝市三季度.xlsx", "state"] == "rejected"
    lingbao = result.scores.set_index("unit_id").loc["lingbao"]
    assert (lingbao["timeliness"], bool(lingbao["commended"])) == (0, False)


def test_check_reads_earlier_hashes_from_stored_ledger(tmp_path, ref):
    q2, q3 = quarter_folder(tmp_path, Q2), quarter_folder(tmp_path, Q3)
    (q2 / "placeholder.xlsx").write_bytes(b"x")  # the quarter exists; its ledger was stored
    data = Workspace(tmp_path).data_dir(Q2)
    data.mkdir(parents=True)
    write_xlsx(q3 / "灵宝市.xlsx", standard_return(ref))
    sha = stages.intake(q3, ref, Q3).files["sha256"].iloc[0]
    pd.DataFrame({"sha256": [sha], "state": ["accepted"]}).to_parquet(data / "ledger.parquet")
    from pipeline.check import check_quarter

    report = check_quarter(q3, ref, Q3)
    assert report.ledger.set_index("file").loc["灵宝市.xlsx", "state"] == "rejected"


def test_outside_a_workspace_no_earlier_returns(tmp_path, ref):
    f = tmp_path / "elsewhere"
    f.mkdir()
    assert stages.earlier_returns(f, ref, Q3).empty
