"""schemas.check (run time, no pandera) rejects exactly what the pandera schema rejects."""

import pandas as pd
import pandera.errors
import pytest

from pipeline import schemas


def _ledger(**overrides):
    row = {c: None for c in schemas.TABLE_COLUMNS["ledger"]}
    row.update({"state": "accepted", **overrides})
    return pd.DataFrame([row])


def test_good_frame_passes_both():
    frame = _ledger()
    schemas.check("ledger", frame)
    schemas.validate("ledger", frame)


@pytest.mark.parametrize("frame", [
    _ledger().drop(columns=["sha256"]),
    _ledger(state="maybe"),
], ids=["missing-column", "unknown-code"])
def test_bad_frame_fails_both(frame):
    with pytest.raises(schemas.TableContractError):
        schemas.check("ledger", frame)
    with pytest.raises(pandera.errors.SchemaErrors):
        schemas.validate("ledger", frame)


def test_message_names_table_column_and_code():
    with pytest.raises(schemas.TableContractError, match="ledger.*state.*maybe"):
        schemas.check("ledger", _ledger(state="maybe"))
