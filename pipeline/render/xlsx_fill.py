"""Workbooks of titled tables at a province's scale: xlsxwriter lays one out, the cells are filled in.

A check at 2,000 units writes 2,000 feedback workbooks, and xlsxwriter takes ~2.7 ms each:
most of it is its per-cell machinery and the parts every workbook shares (styles, theme,
properties, content types). `Prototype` has xlsxwriter write the layout once (per shape and
quarter), keeps what does not depend on the content, and per workbook writes only the cells,
the shared strings, the sheets' ranges and the title — the bytes xlsxwriter itself writes.
That is not taken on trust: a new prototype fills a sample that goes through every path here
(numbers, control characters, `_xHHHH_` look-alikes, edge spaces, markup, blocks of 16 rows,
the note row) and compares the package with xlsxwriter's byte for byte; any difference (another
xlsxwriter) turns the prototype off and xlsxwriter writes every workbook. Content outside
those paths (xlsxwriter's rich-string and truncation paths, numbers that are not finite, a row
of the wrong length) makes `fill` return None, and xlsxwriter writes that workbook.

The layout is a `Sheet` list: per sheet a title in A1, headers in row 2, rows from row 3 and,
when there are none, a note in A3 (render.feedback draws it with xlsxwriter from the same list).
"""

from __future__ import annotations

import io
import math
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.xmlwriter import XMLwriter

# The character a prototype's title carries where each workbook's own name goes (Unicode private
# use: no name in a reference contains it, and a name that did would be left to xlsxwriter).
MARK = "\ue000"
_STRMAX = 32767 // 2  # beyond this xlsxwriter may truncate (its UTF-16 check): left to it


@dataclass(frozen=True)
class Sheet:
    """One sheet of the layout: title (A1), headers (row 2), rows (from row 3), a note (A3) when
    there are no rows, and the columns' widths."""
    name: str
    title: str
    headers: tuple[str, ...]
    widths: tuple[float, ...]
    rows: list
    note: str = ""


def cell_value(value: object) -> object:
    """What a cell holds: a number for int/float (not bool), else text ("" for None). Both writers
    use it, so the workbook is the same whichever writes it."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return "" if value is None else str(value)


_SHEET = re.compile(r'(?s)\A(.*<dimension ref=")[^"]*(".*?<sheetData>).*(</sheetData><autoFilter ref=")'
                    r'[^"]*("/>.*)\Z')
_STYLE = re.compile(r'<c r="([A-Z]+[0-9]+)" s="([0-9]+)"')
_FILTER_NAME = re.compile(r'(<definedName name="_xlnm\._FilterDatabase" localSheetId="([0-9]+)" hidden="1">'
                          r'[^<]*\$)[0-9]+(</definedName>)')
_SST = re.compile(r'(?s)\A(.*<sst [^>]*count=")[0-9]+(" uniqueCount=")[0-9]+(">).*(</sst>)\Z')
_escape_data = XMLwriter()._escape_data
_escape_control = XMLwriter._escape_control_characters


class Prototype:
    """The package xlsxwriter writes for a layout, ready to take other content.

    `write(sheets, name)` is the xlsxwriter writer (a package's bytes, `name` the workbook's
    title); `sample` the layout, with a row in each sheet. `ok` is False when filling does not
    give xlsxwriter's bytes, and then `package` always has xlsxwriter write."""

    def __init__(self, write: Callable[[list[Sheet], str], bytes], sample: list[Sheet]):
        self._write = write
        # what the fixed parts hold of the sheets: their names, columns and widths
        self._shape = [(s.name, len(s.headers), s.widths) for s in sample]
        # xlsxwriter writes only the formats a workbook uses: without any row the cells' format
        # is not in styles.xml, so the fixed parts come in two kinds (with rows, without)
        self._parts = {True: _Parts(write(sample, MARK)),
                       False: _Parts(write([_with_rows(s, None) for s in sample], MARK))}
        self.ok = fill_matches(self, sample)

    def fill(self, sheets: list[Sheet], name: str) -> bytes | None:
        """The package of `sheets` (the prototype's shape) for the workbook called `name`, or None
        where xlsxwriter must write it."""
        fixed = self._parts[any(sheet.rows for sheet in sheets)]
        if ([(s.name, len(s.headers), s.widths) for s in sheets] != self._shape or MARK in name
                or not fixed.ok):
            return None
        strings: dict[str, int] = {}
        count = 0

        def index(text: str) -> int | None:
            nonlocal count
            if len(text) > _STRMAX or (text.startswith("<r>") and text.endswith("</r>")):
                return None
            count += 1
            return strings.setdefault(text, len(strings))

        parts = {}
        ranges = {}
        for i, (sheet, shape) in enumerate(zip(sheets, fixed.sheets, strict=True)):
            head, mid, tail_open, tail, s_title, s_head, s_cell = shape
            xml = _sheet_data(sheet, index, s_title, s_head, s_cell)
            if xml is None:
                return None
            data, last_row = xml
            n = len(sheet.headers)
            filter_last = max(len(sheet.rows) + 1, 2) + 1
            last_col = xl_col_to_name(n - 1)
            ranges[str(i)] = filter_last
            parts[f"xl/worksheets/sheet{i + 1}.xml"] = (
                f"{head}A1:{last_col}{last_row}{mid}{data}{tail_open}A2:{last_col}{filter_last}{tail}")
        parts["xl/workbook.xml"] = _FILTER_NAME.sub(
            lambda m: f"{m.group(1)}{ranges[m.group(2)]}{m.group(3)}", fixed.parts["xl/workbook.xml"])
        sst_head, sst_mid, sst_open, sst_tail = fixed.sst
        items = []
        for text in strings:
            text = _escape_control(text)
            space = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
            items.append(f"<si><t{space}>{_escape_data(text)}</t></si>")
        parts["xl/sharedStrings.xml"] = f"{sst_head}{count}{sst_mid}{len(strings)}{sst_open}{''.join(items)}{sst_tail}"
        before, suffix, after = fixed.core
        parts["docProps/core.xml"] = f"{before}{_escape_control(_escape_data(name + suffix))}{after}"
        return fixed.zipped(parts)

    def package(self, sheets: list[Sheet], name: str) -> bytes:
        """The workbook's bytes: filled in where the prototype can, else written by xlsxwriter."""
        data = self.fill(sheets, name) if self.ok else None
        return data if data is not None else self._write(sheets, name)


class _Parts:
    """One package of the prototype taken apart: the parts kept as they are, each sheet's XML
    around its cells and ranges (with the formats of title, headers and cells), the shared
    strings' frame, and the properties around the workbook's title."""

    def __init__(self, data: bytes):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            self.infos = z.infolist()
            self.parts = {i.filename: z.read(i).decode("utf-8") for i in self.infos}
        # each part's local record (header and deflated bytes) as zipfile wrote it: the parts
        # every workbook shares are not deflated again (they are half of a workbook's bytes)
        self.records = {i.filename: data[i.header_offset:i.header_offset + 30 + len(i.orig_filename.encode())
                                         + len(i.extra) + i.compress_size] for i in self.infos}
        self.sheets, self.sst, self.core = [], (), ["", "", ""]
        try:  # another layout or xlsxwriter: not ok, and xlsxwriter writes every workbook
            n = 1
            while (xml := self.parts.get(f"xl/worksheets/sheet{n}.xml")) is not None:
                m = _SHEET.match(xml)
                styles = dict(_STYLE.findall(xml))
                self.sheets.append((*m.group(1, 2, 3, 4), styles["A1"], styles["A2"], styles.get("A3", "")))
                n += 1
            self.sst = _SST.match(self.parts["xl/sharedStrings.xml"]).group(1, 2, 3, 4)
            # the title: what comes before the name, what follows it (kept as written; the
            # prototype's own check fails where escaping would have changed it), and the rest
            before, title = self.parts["docProps/core.xml"].split(MARK)
            self.core = [before, *title.split("</dc:title>", 1)]
            self.core[2] = "</dc:title>" + self.core[2]
        except (AttributeError, KeyError, ValueError, IndexError):
            self.sheets = []
        self.ok = (bool(self.sheets) and len(self.core) == 3
                   and all(i.compress_type == zipfile.ZIP_DEFLATED and not i.flag_bits & 0x08 for i in self.infos))
        # text of a part → (deflated, crc32, size): many units' workbooks share a part's text (the
        # issues sheet of a clean return, the same verdicts, the same filter ranges), and deflating
        # is half of filling one; the same text deflates to the same bytes
        self._packed: dict[str, tuple[bytes, int, int]] = {}

    def zipped(self, parts: dict[str, str]) -> bytes:
        """The package with `parts` in place of the prototype's, as zipfile writes it (a local
        record per part, the central directory, the end record)."""
        out, central = [], []
        offset = 0
        for info in self.infos:
            text = parts.get(info.filename)
            if text is None:
                record = self.records[info.filename]
                crc, size, raw = info.CRC, info.compress_size, info.file_size
            else:
                deflated, crc, raw = self._deflated(text)
                size = len(deflated)
                head = zipfile.ZipInfo(info.filename, info.date_time)
                head.compress_type, head.flag_bits, head.external_attr = (
                    info.compress_type, info.flag_bits, info.external_attr)
                head.create_version, head.extract_version = info.create_version, info.extract_version
                head.CRC, head.compress_size, head.file_size = crc, size, raw
                record = head.FileHeader(False) + deflated
            out.append(record)
            central.append(_central(info, crc, size, raw, offset))
            offset += len(record)
        directory = b"".join(central)
        end = struct.pack(zipfile.structEndArchive, zipfile.stringEndArchive, 0, 0, len(central), len(central),
                          len(directory), offset, 0)
        return b"".join(out) + directory + end

    def _deflated(self, text: str) -> tuple[bytes, int, int]:
        """(deflated bytes, crc32, size) of a part's text, as zipfile deflates it."""
        known = self._packed.get(text)
        if known is None:
            data = text.encode("utf-8")
            packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)  # zipfile's
            known = (packer.compress(data) + packer.flush(), zlib.crc32(data), len(data))
            if len(self._packed) < _KEEP_PACKED and len(text) <= _KEEP_TEXT:
                self._packed[text] = known
        return known


_KEEP_PACKED, _KEEP_TEXT = 256, 32_768  # parts' texts kept with their deflated bytes: 8 MB at most


def _central(info: zipfile.ZipInfo, crc: int, size: int, raw: int, offset: int) -> bytes:
    """A part's central directory entry, as zipfile's _write_end_record packs it (no ZIP64:
    a feedback workbook is kilobytes)."""
    d = info.date_time
    dosdate, dostime = (d[0] - 1980) << 9 | d[1] << 5 | d[2], d[3] << 11 | d[4] << 5 | (d[5] // 2)
    name = info.orig_filename.encode()
    return struct.pack(zipfile.structCentralDir, zipfile.stringCentralDir, info.create_version,
                       info.create_system, info.extract_version, info.reserved, info.flag_bits,
                       info.compress_type, dostime, dosdate, crc, size, raw, len(name), len(info.extra),
                       len(info.comment), 0, info.internal_attr, info.external_attr, offset
                       ) + name + info.extra + info.comment


def _sheet_data(sheet: Sheet, index, s_title: str, s_head: str, s_cell: str) -> tuple[str, int] | None:
    """The <sheetData> rows of `sheet` as xlsxwriter writes them, and the last row's number."""
    n = len(sheet.headers)
    spans = f' spans="1:{n}"'  # every 16-row block has a full row (the headers, or data rows)
    letters = [xl_col_to_name(c) for c in range(n)]
    title = index(sheet.title)
    if title is None:
        return None
    out = [f'<row r="1"{spans}><c r="A1" s="{s_title}" t="s"><v>{title}</v></c></row><row r="2"{spans}>']
    for letter, header in zip(letters, sheet.headers, strict=True):
        i = index(header)
        if i is None:
            return None
        out.append(f'<c r="{letter}2" s="{s_head}" t="s"><v>{i}</v></c>')
    out.append("</row>")
    r = 2
    for row in sheet.rows:
        if len(row) != n:
            return None
        r += 1
        out.append(f'<row r="{r}"{spans}>')
        for letter, value in zip(letters, row, strict=True):
            value = cell_value(value)
            if isinstance(value, str):
                i = index(value)
                if i is None:
                    return None
                out.append(f'<c r="{letter}{r}" s="{s_cell}" t="s"><v>{i}</v></c>')
            elif math.isfinite(value):
                out.append(f'<c r="{letter}{r}" s="{s_cell}"><v>{value:.16G}</v></c>')
            else:
                return None
        out.append("</row>")
    if not sheet.rows and sheet.note:
        i = index(sheet.note)
        if i is None:
            return None
        r = 3
        out.append(f'<row r="3"{spans}><c r="A3" t="s"><v>{i}</v></c></row>')
    return "".join(out), r


def fill_matches(prototype: Prototype, sample: list[Sheet]) -> bool:
    """True when filling `sample` gives xlsxwriter's own bytes for it and for its variants: rows
    whose texts go through every escaping path, no rows at all, and a first sheet without rows."""
    tricky = ["a&b<c>\"d\"", " 前后空格 ", "控制\x01字符\x1f", "_x0041_ 像转义", "\n换行\n", "", "\ufffe\uffff", "1"]
    variants = [sample, [_with_rows(s, tricky) for s in sample], [_with_rows(s, None) for s in sample],
                [_with_rows(s, None if k == 0 else tricky) for k, s in enumerate(sample)]]
    name = "样例&<单位>\x01_x0041_ "
    return all(prototype.fill(v, name) == prototype._write(v, name) for v in variants)


def _with_rows(sheet: Sheet, texts: list[str] | None) -> Sheet:
    if texts is None:
        return Sheet(sheet.name, sheet.title, sheet.headers, sheet.widths, [], sheet.note or "备注")
    n = len(sheet.headers)
    rows = [[(k * 7 + c) * 1.5 if c == 0 else texts[(k + c) % len(texts)] for c in range(n)] for k in range(35)]
    rows[0][0] = 10**17  # a number xlsxwriter writes with an exponent
    return Sheet(sheet.name, sheet.title + texts[0], sheet.headers, sheet.widths, rows, sheet.note)
