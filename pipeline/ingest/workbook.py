"""Low-level workbook access: open safely, read a sheet as a grid from A1, find headers and labels.

Everything here is about cells, not about the plan: the return reader (`returns.py`) decides what
the cells mean. Grids are plain lists of rows with calamine's Python values (str, float, int,
bool, date, datetime); row/column indices are 0-based, `a1()` turns them into Excel references.
"""

from __future__ import annotations

import functools
import html
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from ..textnorm import norm

# Limits against zip bombs and absurd files (a real return is well under 1 MB).
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024
MAX_ZIP_RATIO = 200
MAX_ZIP_ENTRIES = 10_000
MAX_CELLS = 2_000_000

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")  # the stream of an encrypted OOXML file
_WORD_MARK = "WordDocument".encode("utf-16-le")          # the main stream of a .doc
# A DTD lets XML declare entities (billion laughs, quadratic blow-up, external files). Office
# never writes one into a workbook part, so any declaration is refused before a parser sees it.
# Entities can only be declared inside <!DOCTYPE …>, so that one mark is enough, searched in the
# part's own encoding (told by its first bytes, as an XML parser tells it).
_DTD_UTF8 = (b"<!DOCTYPE",)
_DTD_UTF16 = ("<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))
_XML_PARTS = (".xml", ".rels", ".vml")
_CHUNK = 1024 * 1024

PASSWORD = "文件设置了打开密码，无法读取，请取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码）后重新报送"
RESAVE = "请用Excel或WPS打开后另存为.xlsx格式再报送"


class UnreadableWorkbook(Exception):
    """The file cannot be read as a workbook; `code` is the issue code, the message is Chinese."""

    def __init__(self, message: str, code: str = "file-unreadable"):
        super().__init__(message)
        self.code = code


@functools.lru_cache(maxsize=1 << 14)  # every issue and row names its cells: the same few hundred
def a1(row: int, col: int) -> str:
    """0-based (row, col) → Excel reference, e.g. (6, 3) → "D7"."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def check_size(size: int) -> None:
    """Refuse a file too large to be a return (done from `stat` too, before reading it)."""
    if size > MAX_FILE_BYTES:
        raise UnreadableWorkbook(f"文件超过{MAX_FILE_BYTES // (1024 * 1024)}MB，不像是进度报表，"
                                 "出于安全原因拒收，请删除无关内容后重新报送", "file-unsafe")
    if size == 0:
        raise UnreadableWorkbook(f"文件是空的（0字节），可能保存或传输时出错，{RESAVE}")


def _dtd_marks(head: bytes) -> tuple[bytes, ...]:
    """The DOCTYPE mark in the encoding a part's first bytes announce."""
    return _DTD_UTF16 if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\0" in head[:4] else _DTD_UTF8


def _check_container(data: bytes) -> _Package | None:
    """Reject what no workbook parser should see: empty, oversized, encrypted, zip bombs, XML
    with a DTD, and files that are something else under an Excel name (CSV, HTML, Word, PDF).
    An OOXML/ODS zip that passes hands back what its check inflated for the error-cell pass."""
    check_size(len(data))
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_MARK in data or _biff_encrypted(data):
            raise UnreadableWorkbook(PASSWORD)
        if _WORD_MARK in data:
            raise UnreadableWorkbook("这是Word文档（.doc），不是Excel工作簿，请将内容填入规定的Excel模板后报送")
        return None
    if data.startswith(_ZIP_MAGIC):
        return _check_zip(data)
    raise UnreadableWorkbook(_not_a_workbook(data))


def _biff_encrypted(data: bytes) -> bool:
    """A legacy .xls with a password: its Workbook stream (which starts on a sector boundary)
    opens with BOF, then FILEPASS (0x002F), possibly after WRITEPROT (0x0086)."""
    for off in range(512, min(len(data), 512 * 4096), 512):
        if data[off:off + 2] != b"\x09\x08" or data[off + 6:off + 8] != b"\x05\x00":
            continue  # not a workbook-globals BOF record
        pos = off
        for _ in range(3):
            length = int.from_bytes(data[pos + 2:pos + 4], "little")
            pos += 4 + length
            kind = data[pos:pos + 2]
            if kind == b"\x2f\x00":
                return True
            if kind != b"\x86\x00":
                break
        return False
    return False


def _not_a_workbook(data: bytes) -> str:
    """What a file that is neither a zip nor an OLE container is, in words a user can act on."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head:
        return f"文件内容为空白，{RESAVE}"
    if head.startswith(b"%pdf"):
        return "这是PDF文件，不是Excel工作簿，请用规定的Excel模板填写后报送"
    if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return f"这是“XML电子表格2003”格式，{RESAVE}"
    if head.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")) or b"<html" in head[:512]:
        return f"这是网页（HTML）格式的文件，只是扩展名为Excel，{RESAVE}"
    sample = data[:65536]
    if b"\0" not in sample:
        for encoding in ("utf-8", "gb18030"):
            try:
                sample.decode(encoding)
            except UnicodeDecodeError as exc:
                if exc.start < len(sample) - 4:  # a cut multi-byte character at the end is fine
                    continue
            return f"这是文本（CSV）文件，不是Excel工作簿，{RESAVE}"
    return f"不是Excel工作簿（文件内容无法识别，可能已损坏或不是表格文件），{RESAVE}"


# The parts the error-cell pass reads by name (`sheet_parts`), kept from the check's inflating.
_BOOK_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
# Worksheet parts kept in memory at most (a real return's are a few KB): past this a part is
# inflated again when its sheet is read, as before, so a hostile file's peak stays that of one part.
_KEEP_BYTES = 16 * 1024 * 1024


@dataclass
class _Package:
    """What the zip check inflated and the error-cell pass needs again, so that the file's zip is
    opened and inflated once: entry names, the workbook part, its relationships and the
    worksheet parts (up to _KEEP_BYTES of them)."""

    names: set[str] = field(default_factory=set)
    parts: dict[str, bytes] = field(default_factory=dict)

    def read(self, data: bytes, name: str) -> bytes | None:
        """A part's bytes as `ZipFile.read` gives them (None: no such part)."""
        if name in self.parts:
            return self.parts[name]
        if name not in self.names:
            return None
        with zipfile.ZipFile(io.BytesIO(data)) as zf:  # a part too big to keep: inflated again
            return zf.read(name)


def _check_zip(data: bytes) -> _Package:
    """Declared sizes and ratios first; then every entry is inflated once, counting the bytes that
    really come out (a header may lie) and looking for a DTD in the XML parts.

    The inflated workbook part, its relationships and the worksheet parts are handed back
    (`_Package`), so that nothing inflates them a second time."""
    broken = UnreadableWorkbook(f"文件已损坏（压缩结构无效或不完整），{RESAVE}")
    bomb = UnreadableWorkbook("文件解压后体积异常（疑似“压缩炸弹”），出于安全原因拒收，"
                              f"{RESAVE}", "file-unsafe")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, EOFError, struct.error) as exc:
        raise broken from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise bomb
        if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES or any(_too_packed(i.file_size, i.compress_size) for i in infos):
            raise bomb
        names = {i.filename.lower() for i in infos}
        if not names & {"xl/workbook.xml", "xl/workbook.bin", "content.xml"}:
            if "word/document.xml" in names:
                raise UnreadableWorkbook("这是Word文档（.docx），不是Excel工作簿，请将内容填入规定的Excel模板后报送")
            raise UnreadableWorkbook(f"压缩文件中没有Excel工作簿内容，不是有效的.xlsx文件，{RESAVE}")
        package = _Package(names={i.filename for i in infos})
        kept = total = 0
        for info in infos:
            # A name stored twice reads as its last entry (as ZipFile.read does): only that counts.
            package.parts.pop(info.filename, None)
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                raise UnreadableWorkbook(PASSWORD)
            check_dtd = info.filename.lower().endswith(_XML_PARTS)
            worksheet = info.filename.lower().startswith("xl/worksheets/")
            extent = _Extent(whole=info.file_size <= _CHUNK) if worksheet else None
            keep = worksheet or info.filename in _BOOK_PARTS  # its bytes are gathered
            chunks: list[bytes] = []
            size, tail, marks = 0, b"", ()
            try:
                for chunk in _inflate(zf, data, info):
                    size += len(chunk)
                    total += len(chunk)
                    if total > MAX_UNZIPPED_BYTES or _too_packed(size, info.compress_size):
                        raise bomb
                    window = tail + chunk if tail else chunk
                    if check_dtd and not marks:
                        marks = _dtd_marks(window)
                    if check_dtd and any(m in window for m in marks):
                        raise UnreadableWorkbook(
                            "文件中含有XML文档类型声明（DTD/实体），正常的Excel文件不会包含，"
                            f"出于安全原因拒收；{RESAVE}", "file-unsafe")
                    if extent is not None:
                        extent.scan(window)
                    if keep:
                        chunks.append(chunk)
                        if worksheet and kept + size > _KEEP_BYTES:
                            keep, chunks = False, []  # too big to keep: read again if needed
                    tail = chunk[-256:]
            except UnreadableWorkbook:
                raise
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error) as exc:
                raise broken from exc
            except (NotImplementedError, RuntimeError) as exc:  # unknown compression, encrypted entry
                raise UnreadableWorkbook(f"文件的压缩方式无法识别（{_short(exc)}），{RESAVE}") from exc
            if extent is not None and extent.cells > MAX_CELLS:
                raise UnreadableWorkbook(
                    f"工作表中有远超报表范围的单元格（{extent.far}），读取需要的内存过大，出于安全原因拒收；"
                    f"请删除表格以外多余的行和列，{RESAVE}", "file-unsafe")
            if keep:
                package.parts[info.filename] = chunks[0] if len(chunks) == 1 else b"".join(chunks)
                kept += size if worksheet else 0
    return package


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader


def _inflate(zf: zipfile.ZipFile, data: bytes, info: zipfile.ZipInfo):
    """The entry's bytes as they come out, in chunks of at most _CHUNK, CRC checked at the end.

    Deflated and stored entries (all Office writes) are inflated straight from `data` with zlib:
    zipfile's file objects cost more in Python than the inflating itself on small parts. Any
    other method goes through zipfile, which inflates or refuses it.
    """
    if info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
        with zf.open(info) as part:
            while chunk := part.read(_CHUNK):
                yield chunk
        return
    head = data[info.header_offset:info.header_offset + _LOCAL_HEADER.size]
    if len(head) != _LOCAL_HEADER.size:
        raise zipfile.BadZipFile("truncated local header")
    fields = _LOCAL_HEADER.unpack(head)
    if fields[0] != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header magic")
    start = info.header_offset + _LOCAL_HEADER.size + fields[10] + fields[11]
    packed = data[start:start + info.compress_size]
    if len(packed) != info.compress_size:
        raise zipfile.BadZipFile("truncated entry")
    crc = 0
    if info.compress_type == zipfile.ZIP_STORED:
        for at in range(0, len(packed), _CHUNK):
            chunk = packed[at:at + _CHUNK]
            crc = zlib.crc32(chunk, crc)
            yield chunk
    else:
        inflater = zlib.decompressobj(-15)
        pending, left = packed, info.file_size
        while pending and not inflater.eof:
            chunk = inflater.decompress(pending, _CHUNK)  # bounded: a bomb never comes out at once
            pending = inflater.unconsumed_tail
            left -= len(chunk)
            if left < 0:  # more than the directory says (as zipfile, which stops there: CRC fails)
                raise zipfile.BadZipFile("entry longer than declared")
            if chunk:
                crc = zlib.crc32(chunk, crc)
                yield chunk
        if not inflater.eof:
            tail = inflater.flush()
            if tail:
                crc = zlib.crc32(tail, crc)
                yield tail
            if not inflater.eof:
                raise zipfile.BadZipFile("truncated deflate stream")
    if crc != info.CRC:
        raise zipfile.BadZipFile("CRC mismatch")


# <c r="A1" …> as Excel, WPS, LibreOffice, openpyxl and xlsxwriter write it, and not <c …/>
# (formatting only: calamine keeps no cell for it). A cell that hides its reference elsewhere in
# the tag is not seen here; then the worker's memory cap still holds.
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>/]*>')
# A reference past column Z or row 9999. Without one the grid from A1 is at most 26 × 9,999
# cells, far under MAX_CELLS, so a real return (columns A-H, rows < 100) is cleared by one
# regex search and only a suspicious sheet has its cells listed one by one.
_FAR_REF = re.compile(rb'<c r="(?:[A-Z]{2,3}[0-9]{1,7}|[A-Z][0-9]{5,7})"[^>/]*>')
assert 26 * 9_999 < MAX_CELLS


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


class _Extent:
    """The grid from A1 to a worksheet's farthest non-empty cell, from its XML. python-calamine
    allocates that whole box (a value in XFD1048576 makes 17 billion cells; the failed
    allocation aborts the process), so in-process readers (the catalogue audit, workers=0)
    are protected too, not only the worker processes."""

    def __init__(self, whole: bool = False):
        # `whole`: the part comes in one chunk (its declared size, which cannot be exceeded).
        # Only then may a chunk without a far reference be skipped: in a part of several
        # chunks, Z5 in one and A100000 in another make a grid that neither shows alone.
        self.whole = whole
        self.max_row = self.max_col = 0
        self.far = ""

    def scan(self, text: bytes) -> None:
        if self.whole and not _FAR_REF.search(text):
            return
        for letters, digits in _CELL_REF.findall(text):
            col, row = _col_number(letters), int(digits)
            if col > self.max_col or row > self.max_row:
                self.max_col, self.max_row = max(col, self.max_col), max(row, self.max_row)
                self.far = a1(self.max_row - 1, self.max_col - 1)

    @property
    def cells(self) -> int:
        return self.max_row * self.max_col


def _too_packed(size: int, packed: int) -> bool:
    """A ratio no spreadsheet reaches (real parts compress 5-30x) on an entry big enough to hurt."""
    return size > 10 * 1024 * 1024 and size > MAX_ZIP_RATIO * max(packed, 1)


class CellError(str):
    """What calamine reads as an empty cell but is not: an Excel error value (`#REF!`, `#N/A`…),
    or a formula saved without its computed value (the text `=…`). Text, so that nothing
    mistakes it for an empty cell; the return reader names it in an issue."""

    __slots__ = ()

    @property
    def formula(self) -> bool:
        return self.startswith("=")


# A worksheet cell element with its attributes and content (any namespace prefix).
_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_ATTR_R = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_ATTR_T = re.compile(rb'\bt="(\w+)"')
_FORMULA = re.compile(rb'<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)', re.S)
_VALUE = re.compile(rb'<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)', re.S)
_SHEET_TAG = re.compile(rb'<(?:\w+:)?sheet\b([^>]*)/?>')
_REL_TAG = re.compile(rb'<(?:\w+:)?Relationship\b([^>]*)/?>')


def _attr(attrs: bytes, name: bytes) -> str:
    m = re.search(rb'(?:^|\s)(?:\w+:)?' + name + rb'="([^"]*)"', attrs)
    return html.unescape(m.group(1).decode("utf-8", "replace")) if m else ""


def sheet_parts(data: bytes, package: _Package | None = None) -> dict[str, str]:
    """sheet name → its worksheet part in an OOXML package (empty for anything else); from the
    parts `package` kept when given (the file's zip is then not opened again)."""
    if package is not None:
        book, rels = (package.parts.get(name) for name in _BOOK_PARTS)
        if book is None or rels is None:
            return {}
    else:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                book, rels = zf.read("xl/workbook.xml"), zf.read("xl/_rels/workbook.xml.rels")
        except (KeyError, zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
            return {}
    if len(book) + len(rels) > 65536:  # not a template's: not worth remembering
        return _sheet_map.__wrapped__(book, rels)
    return dict(_sheet_map(book, rels))


@functools.lru_cache(maxsize=256)  # the returns of one template share these two parts
def _sheet_map(book: bytes, rels: bytes) -> dict[str, str]:
    targets = {}
    for m in _REL_TAG.finditer(rels):
        target = _attr(m.group(1), b"Target")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[_attr(m.group(1), b"Id")] = target
    return {_attr(m.group(1), b"name"): targets.get(_attr(m.group(1), b"id"), "")
            for m in _SHEET_TAG.finditer(book)}


def _may_hold_errors(part: bytes) -> bool:
    """Whether the part has t="e", <f>, <f , :f> or :f  at all. The formula marks are found from
    their "f" (a one-byte search runs at memory speed, and an "f" is rare in sheet XML): a third
    of the cost of four substring searches, on every sheet read. A part with many "f"s (text
    written inline) is searched for the four marks instead, so it never costs more than that."""
    at, left = part.find(b"f"), 64
    while at != -1:
        if part[at - 1:at] in (b"<", b":") and part[at + 1:at + 2] in (b">", b" "):
            return True
        left -= 1
        if not left:
            return any(m in part for m in _FORMULA_MARKS) or b't="e"' in part
        at = part.find(b"f", at + 1)
    return b't="e"' in part


_FORMULA_MARKS = (b"<f>", b"<f ", b":f>", b":f ")


def error_cells(part: bytes) -> dict[tuple[int, int], CellError]:
    """(row, col) → CellError for the error values and uncomputed formulas of a worksheet part."""
    if not _may_hold_errors(part):
        return {}  # no error value, no formula (<formula1> of a validation is not one)
    found = {}
    for m in _CELL.finditer(part):
        attrs, inner = m.group(1), m.group(2) or b""
        ref = _ATTR_R.search(attrs)
        if ref is None:
            continue
        kind = _ATTR_T.search(attrs)
        kind = kind.group(1) if kind else b"n"
        value = _VALUE.search(inner)
        text = html.unescape((value.group(1) or b"").decode("utf-8", "replace")) if value else ""
        formula = _FORMULA.search(inner)
        if kind == b"e":
            cell = CellError(text.strip() or "#错误")
        elif formula is not None and not text and kind not in (b"str", b"inlineStr"):
            shown = html.unescape((formula.group(1) or b"").decode("utf-8", "replace")).strip()
            cell = CellError("=" + (shown[:40] if shown else "（共享公式）"))
        else:
            continue
        found[(int(ref.group(2)) - 1, _col_number(ref.group(1)) - 1)] = cell
    return found


def biff_error_cells(data: bytes) -> dict[str, dict[tuple[int, int], CellError]]:
    """sheet → (row, col) → CellError: the error values of a legacy .xls (calamine reads them as
    empty; xlrd keeps the error code). Nothing when xlrd cannot read the file: calamine did."""
    import xlrd  # only for .xls files

    try:
        book = xlrd.open_workbook(file_contents=data, logfile=io.StringIO())
    except Exception:  # a file calamine read but xlrd cannot: no error cells to add
        return {}
    out = {}
    for ws in book.sheets():
        found = {}
        for r in range(ws.nrows):
            for c, kind in enumerate(ws.row_types(r)):
                if kind == xlrd.XL_CELL_ERROR:
                    found[(r, c)] = CellError(xlrd.error_text_from_code.get(ws.cell_value(r, c), "#错误"))
        out[ws.name] = found
    return out


@dataclass
class Sheet:
    """A sheet as a rectangular grid from A1; merged ranges filled with their top-left value."""

    name: str
    rows: list[list[object]]
    merged_from: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def value(self, row: int, col: int) -> object:
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return ""


class Book:
    """An opened workbook: sheet names (with visibility) and sheets read on demand."""

    def __init__(self, data: bytes):
        import python_calamine as pc

        self._package = _check_container(data)
        try:
            self._wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
            self.sheet_names = list(self._wb.sheet_names)
            self.hidden = {m.name for m in self._wb.sheets_metadata
                           if str(m.visible).rsplit(".", 1)[-1].lower() != "visible"}
            self._data = data if data.startswith((_ZIP_MAGIC, _OLE_MAGIC)) else b""  # for error cells
        except pc.PasswordError as exc:
            raise UnreadableWorkbook(PASSWORD) from exc
        except Exception as exc:  # calamine raises several unrelated types for bad files
            raise UnreadableWorkbook(f"不是有效的Excel工作簿或文件已损坏（{_short(exc)}），{RESAVE}") from exc
        self._cache: dict[str, Sheet] = {}

    def sheet(self, name: str) -> Sheet:
        if name not in self._cache:
            self._cache[name] = self._read(name)
        return self._cache[name]

    def _read(self, name: str) -> Sheet:
        try:
            raw = self._wb.get_sheet_by_name(name)
            # skip_empty_area=False keeps the grid anchored at A1 so references are right.
            if raw.total_height * max(raw.total_width, 1) > MAX_CELLS:
                raise UnreadableWorkbook(f"工作表“{name}”过大，请删除无关内容后重新报送", "file-unsafe")
            rows = raw.to_python(skip_empty_area=False)
            if rows and type(rows[0]) is not list:  # fresh lists today; a copy if ever not
                rows = [list(r) for r in rows]
            merged = raw.merged_cell_ranges or []
            self._put_errors(name, rows)
        except UnreadableWorkbook:
            raise
        except Exception as exc:
            raise UnreadableWorkbook(f"工作表“{name}”无法读取（{_short(exc)}）") from exc
        return Sheet(name, rows, _fill_merged(rows, merged))


    def _put_errors(self, name: str, rows: list[list[object]]) -> None:
        """Put back the error values and uncomputed formulas calamine reads as empty cells."""
        if not self._data:
            return
        if self._data.startswith(_OLE_MAGIC):
            if not hasattr(self, "_biff"):  # one parse of the file for all its sheets
                self._biff = biff_error_cells(self._data)
            found = self._biff.get(name, {})
        else:
            if not hasattr(self, "_parts"):
                self._parts = sheet_parts(self._data, self._package)
            part = self._parts.get(name)
            if not part:
                return
            xml = self._package.read(self._data, part)
            if xml is None:
                return
            found = error_cells(xml)
        for (r, c), cell in found.items():
            if r >= len(rows) or c >= 16384:  # calamine's grid covers every cell with a value
                continue
            row = rows[r]
            if len(row) <= c:
                row.extend([""] * (c + 1 - len(row)))
            if is_blank(row[c]):
                row[c] = cell


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:80]


def _fill_merged(rows: list[list[object]], merged) -> dict[tuple[int, int], tuple[int, int]]:
    """Copy each merged range's top-left value into its other cells (in place, on our own grid)."""
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    height = len(rows)
    for (r0, c0), (r1, c1) in merged:
        if r0 >= height or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, height - 1) + 1):
            row = rows[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                if (r, c) != (r0, c0):
                    row[c] = value
                    origin[(r, c)] = (r0, c0)
    return origin


def open_book(data: bytes) -> Book:
    return Book(data)


# --- finding things by name ----------------------------------------------------------------
_EDGE_PUNCT = re.compile(r"^[*＊※:：]+|[*＊※:：。.]+$")
_LEAD_PUNCT, _TRAIL_PUNCT = "*＊※:：", "*＊※:：。."  # the same marks, for str.strip
_PAREN_TAIL = re.compile(r"[(\[【<《].*$")


def _strip_edges(key: str) -> str:
    """`_EDGE_PUNCT` removed from normalised text (which has no line breaks, so `$` is the end):
    the same as the regex, at a tenth of its cost."""
    return key.lstrip(_LEAD_PUNCT).rstrip(_TRAIL_PUNCT)


def header_key(value: object) -> str:
    """A header or label cell normalised for matching: folded, no spaces, no * or trailing colon."""
    if isinstance(value, str) and len(value) <= 64:
        return _header_key_text(value)
    return _strip_edges(norm(value))


@functools.lru_cache(maxsize=1 << 15)
def _header_key_text(text: str) -> str:
    return _strip_edges(norm(text))


def header_keys(value: object) -> tuple[str, ...]:
    """The cell's key, then the key without a parenthetical tail (完成时间（年月日） → 完成时间)."""
    if isinstance(value, str) and len(value) <= 256:  # the template's task texts repeat too
        return _header_keys_text(value)
    return _header_keys(header_key(value))


@functools.lru_cache(maxsize=1 << 15)
def _header_keys_text(text: str) -> tuple[str, ...]:
    return _header_keys(header_key(text))


def _header_keys(key: str) -> tuple[str, ...]:
    keys = [key] if key else []
    short = _strip_edges(_PAREN_TAIL.sub("", key))
    if short and short != key:
        keys.append(short)
    return tuple(keys)


def find_sheet(book: Book, wanted: str, avoid: tuple[str, ...] = ()) -> str | None:
    """The sheet named `wanted` (after normalisation), else the only one whose name contains it;
    a visible sheet before a hidden one (see `pick_sheet`)."""
    return pick_sheet(book, wanted, avoid)[0]


def pick_sheet(book: Book, wanted: str, avoid: tuple[str, ...] = ()) -> tuple[str | None, list[str]]:
    """(the sheet to read, the hidden sheets whose names also match).

    Offices copy a sheet (「任务进展 (2)」), update the copy and hide the stale original: among
    the sheets named like `wanted`, the visible ones are chosen from first (exact name, else the
    only one containing it); hidden ones only when no visible sheet matches."""
    key = norm(wanted)
    names = [n for n in book.sheet_names if n not in avoid and key in norm(n)]
    hidden = getattr(book, "hidden", set())
    visible = [n for n in names if n not in hidden]
    pool = visible or [n for n in names if n in hidden]  # hidden ones only when no visible one
    exact = [n for n in pool if norm(n) == key]
    chosen = (exact or pool)[0] if exact or len(pool) == 1 else None  # several partial: ambiguous
    return chosen, [n for n in names if n in hidden and n != chosen]


class SynonymIndex(dict):
    """Normalised synonym → [(its rank among its header's synonyms, canonical header)].

    `cell_hits(text)` memoises what a cell's text matches: headers and labels repeat in every
    file, so each distinct text is normalised and looked up once."""

    _MEMO = 1 << 13  # distinct texts remembered (then forgotten at once: notes never repeat)

    def __init__(self, *args):
        super().__init__(*args)
        self._hits: dict[str, tuple[tuple[int, int, str], ...]] = {}
        self.headers = 0  # how many canonical headers a row can match at most

    def cell_hits(self, text: str) -> tuple[tuple[int, int, str], ...]:
        """(synonym rank, key rank, canonical header) for every synonym `text` matches."""
        hits = self._hits.get(text)
        if hits is None:
            # header_keys(text) without its memo: a text not seen yet is mostly a note, seen once
            keys = _header_keys(_strip_edges(norm(text)))
            hits = tuple((rank, key_rank, canon) for key_rank, key in enumerate(keys)
                         for rank, canon in self.get(key, ()))
            if len(text) <= 256:  # a long note is not worth keeping
                if len(self._hits) >= self._MEMO:
                    self._hits.clear()
                self._hits[text] = hits
        return hits


def synonym_index(synonyms: dict[str, list[str]]) -> SynonymIndex:
    """Normalised synonym → [(its rank among its header's synonyms, canonical header)]."""
    return _synonym_index(tuple((canon, tuple(words)) for canon, words in synonyms.items()))


@functools.lru_cache(maxsize=64)
def _synonym_index(synonyms: tuple[tuple[str, tuple[str, ...]], ...]) -> SynonymIndex:
    index = SynonymIndex()
    for canon, words in synonyms:
        normed = [norm(w) for w in words]
        for word in dict.fromkeys(normed):  # a repeated synonym ranks where it first appears
            index.setdefault(word, []).append((normed.index(word), canon))
    index.headers = len({canon for hits in index.values() for _, canon in hits})
    return index


def match_columns(row: list[object], synonyms: dict[str, list[str]],
                  index: SynonymIndex | None = None) -> dict[str, int]:
    """Canonical header → column index for one row; the best-ranked synonym wins, then leftmost."""
    index = index if index is not None else synonym_index(synonyms)
    memo = index._hits  # cell_hits' memo read here first: most texts were seen before
    candidates: list[tuple[int, int, int, str]] = []  # (synonym rank, key rank, col, canon)
    for col, cell in enumerate(row):
        if not isinstance(cell, str) or not cell:
            continue
        hits = memo.get(cell)
        for rank, key_rank, canon in hits if hits is not None else index.cell_hits(cell):
            candidates.append((rank, key_rank, col, canon))
    if not candidates:
        return {}
    found: dict[str, int] = {}
    used: set[int] = set()
    for _, _, col, canon in sorted(candidates):
        if canon not in found and col not in used:
            found[canon] = col
            used.add(col)
    return found


def find_header(sheet: Sheet, synonyms: dict[str, list[str]], required: list[str],
                max_rows: int = 60) -> tuple[int, dict[str, int]] | None:
    """The header row (0-based) and its columns: the row matching most names among those with all
    required ones, within the first `max_rows` rows; None if no row has the required names."""
    best: tuple[int, int, dict[str, int]] | None = None
    index = synonym_index(synonyms)
    for r, row in enumerate(sheet.rows[:max_rows]):
        cols = match_columns(row, synonyms, index)
        if all(k in cols for k in required) and len(cols) >= 2:
            if best is None or len(cols) > best[0]:
                best = (len(cols), r, cols)
            if len(cols) == index.headers:
                break  # every header matched: no row below can match more (a tie keeps this one)
    return (best[1], best[2]) if best else None


def is_blank(value: object) -> bool:
    """None, or text that is only white space (of any width) once normalised."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    if not value:
        return True
    if not value[0].isspace() and value[0] not in _INVISIBLE:
        return False  # a visible first character survives normalising (most cells: no folding)
    return _blank_short(value) if len(value) <= 32 else not norm(value)


_INVISIBLE = "\u200b\ufeff"  # what norm drops besides white space


@functools.lru_cache(maxsize=4096)
def _blank_short(text: str) -> bool:
    # Sheets repeat the same few short strings (" ", "　", "-") down thousands of junk rows.
    return not norm(text)


VALUE_HEADERS = {"填写内容", "填报内容", "内容", "值"}


def scan_labels(sheet: Sheet, synonyms: dict[str, list[str]], rows: range | None = None
                ) -> dict[str, tuple[object, int, int]]:
    """label → (value, row, col) from label/value layouts.

    A label cell takes the next non-empty cell to its right (skipping cells merged with it);
    `label：value` in one cell is split at the colon. The first occurrence of a label wins, and a
    label's own synonyms rank as in `synonyms` (so 填报单位 beats 单位).
    """
    table = synonym_index(synonyms)
    labels = table.keys()
    hits: dict[str, tuple[int, tuple[object, int, int]]] = {}
    value_col = None  # a 项目 | 填写内容 | 说明 header: values sit in the 填写内容 column, not the hints
    for r in rows if rows is not None else range(len(sheet.rows)):
        row = sheet.rows[r] if r < len(sheet.rows) else []
        keys = [header_key(v) if isinstance(v, str) else "" for v in row]
        if value_col is None and any(k in VALUE_HEADERS for k in keys):
            value_col = next(c for c, k in enumerate(keys) if k in VALUE_HEADERS)
            continue
        for c, cell in enumerate(row):
            if not isinstance(cell, str) or (r, c) in sheet.merged_from:
                continue
            found = _label_in(cell, table)
            if not found:
                continue
            canon, rank, inline = found
            if inline is not None:
                value, at = inline, (r, c)
            elif value_col is not None and value_col > c:
                value, at = sheet.value(r, value_col), (r, value_col)
            else:
                value, at = "", (r, c + 1)
                for c2 in range(c + 1, len(row)):
                    if sheet.merged_from.get((r, c2)) == (r, c) or is_blank(row[c2]):
                        continue
                    if isinstance(row[c2], str) and header_key(row[c2]) in labels:
                        break  # the next label: this one's value is empty
                    value, at = row[c2], (r, c2)
                    break
            if canon not in hits or rank < hits[canon][0]:
                hits[canon] = (rank, (value, *at))
    return {canon: hit for canon, (_, hit) in hits.items()}


_INLINE_LABEL = re.compile(r"^\s*[*＊]?\s*([^:：]{1,12})\s*[:：]\s*(.*)$", re.S)


def _label_in(cell: str, table: SynonymIndex) -> tuple[str, int, str | None] | None:
    """(canonical label, synonym rank, inline value or None) when `cell` is a label."""
    hit = table.get(header_key(cell))
    if hit:
        rank, canon = hit[0]
        return canon, rank, None
    if ":" not in cell and "：" not in cell:
        return None
    m = _INLINE_LABEL.match(cell.strip())
    if m:
        hit = table.get(norm(m.group(1)))
        if hit:
            rank, canon = hit[0]
            return canon, rank, m.group(2).strip()
    return None
