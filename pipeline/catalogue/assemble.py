"""Rows of a catalogue sheet → items, following how units really lay them out.

A real item often spans rows: 序号 and 事项 merged (or left blank) down the item, one line of
公开内容 per row. Header rows repeated above items and sub-header rows are skipped; a row
naming only an upper level (一级事项 above its 二级事项) is a group heading; 「同上」 takes the
value of the same column in the row above. Element cells of a multi-row item are joined and
referenced as a range (E4:E6).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import names as N
from ..ingest.workbook import Sheet, a1, is_blank, match_columns
from ..textnorm import norm
from .rules import Rules

# The lower header row's labels, with the third level of item names that real catalogues use.
SUB_SYNONYMS = {**N.CATALOGUE_SUB_SYNONYMS, "三级事项": ["三级事项", "三级", "三级目录"]}
TICK_KEYS = ("audience", "method", "level")
_NOTE_START = re.compile(r"^(注|备注|说明|填报说明|填表说明|填报单位|编制单位|报送单位|填表人|"
                         r"填报人|审核人|联系电话|制表|※|\*)")
_SECTION = re.compile(r"^([一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[部分类章])")


@dataclass
class RowCells:
    """One sheet row as the layout sees it (texts resolved, 同上 replaced)."""

    r: int
    seq: str
    seq_own: bool
    names: list[str]                 # 一级, 二级, 三级 (filled merges included)
    names_own: list[bool]            # the cell holds its own value (not blank, not merged from above)
    names_merged: list[bool]         # the cell is merged from a row above
    text: dict[str, str]
    ticks: dict[str, list[str]]      # tick group → labels ticked (tick-column layouts)
    tick_text: dict[str, str]        # tick group → text (single-column layouts)


@dataclass
class Item:
    rows: list[RowCells] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    @property
    def depth(self) -> int:
        """Index of the deepest name level the item's first row writes itself (-1: none); a
        name merged down from an item above does not make this item that deep."""
        first = self.rows[0]
        return max((i for i, own in enumerate(first.names_own) if own), default=-1)


def _merged_above(sheet: Sheet, r: int, c: int | None) -> bool:
    origin = sheet.merged_from.get((r, c)) if c is not None else None
    return origin is not None and origin[0] < r


def _cell(sheet: Sheet, r: int, c: int | None, cell_text) -> str:
    return cell_text(sheet.value(r, c)) if c is not None else ""


def _column_numbers(filled: list[object]) -> bool:
    """A row numbering the columns (1 2 3 4 … under the header), as printed forms often have."""
    texts = [norm(str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)) for v in filled]
    return len(texts) >= 4 and texts == [str(i) for i in range(1, len(texts) + 1)]


def is_header_row(row: list[object]) -> bool:
    """A header printed again inside the table (at least two cells, each a heading or
    sub-heading), or a row numbering the columns."""
    filled = [v for v in row if not is_blank(v)]
    if len(filled) < 2:
        return False
    if _column_numbers(filled):
        return True
    return all(isinstance(v, str) and (match_columns([v], N.CATALOGUE_HEAD_SYNONYMS)
                                       or match_columns([v], SUB_SYNONYMS)) for v in filled)


def _is_note(row: list[object], values: list[str], cell_text) -> bool:
    """A note, label or section row rather than an item: one text across the row (merged), a row
    starting with 注/备注/填报单位…, or a lone 「一、…」 section heading."""
    filled = [v for v in values if v]
    if len(filled) >= 3 and len(set(filled)) == 1:
        return True
    first = next((cell_text(v) for v in row if not is_blank(v)), "")
    if len({v for v in row if not is_blank(v)}) <= 1 and _SECTION.match(norm(first)):
        return True
    return bool(_NOTE_START.match(norm(first))) and len(set(filled)) <= 1


def read_rows(sheet: Sheet, layout, rules: Rules, cell_text) -> tuple[list[RowCells], list[int], list[int]]:
    """Data rows (同上 resolved), note rows and skipped header rows, in sheet order."""
    data, notes, headers = [], [], []
    above: dict[str | int, str] = {}
    for r in range(layout.first_row, len(sheet.rows)):
        row = sheet.rows[r]
        if is_header_row(row):
            headers.append(r)
            continue
        names = [_cell(sheet, r, c, cell_text) for c in layout.name_cols]
        merged = [_merged_above(sheet, r, c) for c in layout.name_cols]
        text = {k: _cell(sheet, r, c, cell_text) for k, c in layout.text_cols.items()}
        ticks = {k: [lab for lab, c in layout.ticks.get(k, []) if rules.tick(_cell(sheet, r, c, cell_text))]
                 for k in TICK_KEYS}
        tick_text = {k: _cell(sheet, r, layout.tick_text_cols.get(k), cell_text) for k in TICK_KEYS}
        seq = _cell(sheet, r, layout.seq_col, cell_text)
        texts = [*names, *text.values()]
        if not any(texts) and not any(ticks.values()) and not any(rules.tick(t) for t in tick_text.values()):
            continue  # blank, or a template row with only a 序号 and empty tick boxes
        if _is_note(row, texts, cell_text):
            notes.append(r)
            continue
        for i, value in enumerate(names):  # 同上 in a name column: the name above, as its own value
            if value and rules.is_same_as_above(value) and above.get(i):
                names[i] = above[i]
            if names[i]:
                above[i] = names[i]
        for key, value in [*text.items(), *tick_text.items()]:
            if value and rules.is_same_as_above(value) and above.get(key):
                value = above[key]
                (text if key in text else tick_text)[key] = value
            if value:
                above[key] = value
        data.append(RowCells(r, seq, bool(seq) and not _merged_above(sheet, r, layout.seq_col),
                             names, [bool(n) and not m for n, m in zip(names, merged, strict=True)],
                             merged, text, ticks, tick_text))
    return data, notes, headers


def _is_heading(row: RowCells, deepest: int) -> bool:
    """A row that only names an upper level (一级事项 written above its 二级事项)."""
    given = [i for i, n in enumerate(row.names) if n]
    return (bool(given) and max(given) < deepest and not any(row.text.values())
            and not any(row.ticks.values()) and not any(row.tick_text.values()))


def _continues(row: RowCells, item: Item) -> bool:
    """Whether `row` is another line of `item` rather than a new item."""
    d = item.depth
    for i, (name, own) in enumerate(zip(row.names, row.names_own, strict=True)):
        if own and (i > d or name != item.names[i]):
            return False  # a new or different name
    if d >= 0 and row.names_merged[d]:
        return True       # the item's name cell is merged down over this row
    return not row.seq_own


def assemble(rows: list[RowCells], layout) -> list[Item]:
    """Group data rows into items; upper-level names carry down to the items below them."""
    deepest = max((i for i, c in enumerate(layout.name_cols) if c is not None), default=-1)
    items: list[Item] = []
    carried = [""] * len(layout.name_cols)
    for row in rows:
        if items and _continues(row, items[-1]):
            items[-1].rows.append(row)
            continue
        if _is_heading(row, deepest):
            given = max(i for i, n in enumerate(row.names) if n)
            carried = [*row.names[:given + 1], *[""] * (len(carried) - given - 1)]
            continue
        given = max((i for i, n in enumerate(row.names) if n), default=-1)
        names = list(row.names)
        for i in range(len(names)):
            if not names[i] and (i < given or (given < 0 and i == 0)):
                names[i] = carried[i]  # an upper level merged or left blank: the one above
        carried = names
        items.append(Item([row], names))
    return items


def _span(rows: list[int], cols: list[int]) -> str:
    cols = sorted(c for c in cols if c is not None)
    if not cols:
        return ""
    first, last = a1(min(rows), cols[0]), a1(max(rows), cols[-1])
    return first if first == last else f"{first}:{last}"


def _joined(values: list[str]) -> str:
    return "\n".join(dict.fromkeys(v for v in values if v))


def item_record(item: Item, layout) -> dict:
    """One raw item row for `checks.py`: names, joined elements and their cell ranges."""
    rs = [row.r for row in item.rows]
    first = item.rows[0]
    names = item.names + [""] * (3 - len(item.names))
    rec = {"row": rs[0] + 1, "last_row": rs[-1] + 1, "item_l1": names[0], "item_l2": names[1],
           "item_l3": names[2], "name_given": any(first.names),
           "cell_name": _span(rs[:1], list(layout.name_cols))}
    for key, col in layout.text_cols.items():
        rec[key] = _joined([row.text[key] for row in item.rows])
        rec[f"cell_{key}"] = _span(rs, [col]) if col is not None else ""
    for key in TICK_KEYS:
        if layout.ticks.get(key):
            ticked = {lab for row in item.rows for lab in row.ticks[key]}
            rec[key] = "、".join(lab for lab, _ in layout.ticks[key] if lab in ticked)
            rec[f"cell_{key}"] = _span(rs, [c for _, c in layout.ticks[key]])
        else:
            col = layout.tick_text_cols.get(key)
            rec[key] = _joined([row.tick_text[key] for row in item.rows])
            rec[f"cell_{key}"] = _span(rs, [col]) if col is not None else ""
    return rec
