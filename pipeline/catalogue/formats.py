"""What a file in 目录/ is, and opening it as a book of sheets.

Workbooks (.xlsx .xlsm .xls .xlsb .ods, and .et — WPS, which holds xls or xlsx bytes) are told by
their bytes, not their name, and read by calamine; Word tables (.docx) by python-docx, one sheet
per table; PDFs, images and archives cannot be audited and get a Chinese reason instead.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from ..ingest.archive import PACKED_SUFFIXES, ZIP_SUFFIXES
from ..ingest.workbook import (
    MAX_UNZIPPED_BYTES,
    MAX_ZIP_ENTRIES,
    Sheet,
    UnreadableWorkbook,
    _too_packed,
    check_size,
    open_book,
)

_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*", b"RIFF")
_ARCHIVE_MAGIC = (b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")
_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic"}
_ARCHIVE_SUFFIXES = set(ZIP_SUFFIXES + PACKED_SUFFIXES)  # the archives the returns know
RESEND = "请将目录表格另存为Excel工作簿（.xlsx）或Word表格（.docx）后重新报送"


class NotAuditable(Exception):
    """A file that is not a table at all (PDF, image, archive): listed, never audited."""

    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind, self.reason = kind, reason


def file_kind(data: bytes, suffix: str) -> str:
    """'workbook', 'docx', or raises NotAuditable. Bytes decide; the suffix only names archives
    and images whose bytes we do not recognise."""
    head = data[:8]
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = {n.lower() for n in zf.namelist()}
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            return "workbook"  # let the workbook reader name the damage
        if "word/document.xml" in names:
            return "docx"
        if names & {"xl/workbook.xml", "xl/workbook.bin", "content.xml"} or suffix in KIND_LABELS:
            return "workbook"  # an Office name on a zip without its parts: the reader says what is wrong
        raise NotAuditable("压缩包", "这是压缩包，压缩包中的目录暂不能审核，请解压后将目录文件直接放入“目录”文件夹")
    if data[:4] == b"%PDF" or suffix == ".pdf":
        raise NotAuditable("PDF", f"这是PDF文件，无法逐项审核目录要素，{RESEND}")
    if head.startswith(_IMAGE_MAGIC) or suffix in _IMAGE_SUFFIXES:
        raise NotAuditable("图片", f"这是图片，无法逐项审核目录要素，{RESEND}")
    if head.startswith(_ARCHIVE_MAGIC) or suffix in _ARCHIVE_SUFFIXES:
        raise NotAuditable("压缩包", "这是压缩包，压缩包中的目录暂不能审核，请解压后将目录文件直接放入“目录”文件夹")
    return "workbook"


KIND_LABELS = {".xlsx": "Excel", ".xlsm": "Excel", ".xls": "Excel 97-2003", ".xlsb": "Excel二进制",
               ".ods": "ODS", ".et": "WPS表格", ".docx": "Word表格", ".doc": "Word 97-2003"}


def kind_label(suffix: str, kind: str) -> str:
    return KIND_LABELS.get(suffix, "Word表格" if kind == "docx" else (suffix.lstrip(".").upper() or "无扩展名"))


# --- Word tables ---------------------------------------------------------------------------
class DocxBook:
    """A .docx as a book: one sheet per table (表格1, 表格2 …), merged cells filled like Excel's;
    the paragraphs just above a table are its caption (unit and domain are often named there)."""

    hidden: frozenset[str] = frozenset()

    def __init__(self, data: bytes):
        _check_docx(data)
        import docx

        try:
            document = docx.Document(io.BytesIO(data))
        except Exception as exc:  # python-docx raises several types for damaged files
            raise UnreadableWorkbook(f"Word文件已损坏或无法解析（{str(exc)[:60]}），{RESEND}") from exc
        self._sheets: dict[str, Sheet] = {}
        caption: list[str] = []
        n = 0
        for block in document.element.body.iterchildren():
            tag = block.tag.rsplit("}", 1)[-1]
            if tag == "p":
                text = "".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")).strip()
                if text:
                    caption = (caption + [text])[-3:]
            elif tag == "tbl":
                n += 1
                sheet = _table_sheet(f"表格{n}", docx.table.Table(block, document))
                sheet.caption = " ".join(caption)
                self._sheets[sheet.name] = sheet
                caption = []
        self.sheet_names = list(self._sheets)

    def sheet(self, name: str) -> Sheet:
        return self._sheets[name]


def _check_docx(data: bytes) -> None:
    check_size(len(data))
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise UnreadableWorkbook(f"Word文件已损坏（压缩结构无效），{RESEND}") from exc
    with zf:
        infos = zf.infolist()
        if (len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES
                or any(_too_packed(i.file_size, i.compress_size) for i in infos)):
            raise UnreadableWorkbook("文件解压后体积异常（疑似“压缩炸弹”），出于安全原因拒收", "file-unsafe")
        try:  # Word never writes a DTD; one in the document part is refused as in workbooks
            body = zf.read("word/document.xml")
        except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, zlib.error) as exc:
            raise UnreadableWorkbook(f"Word文件已损坏（缺少正文），{RESEND}") from exc
    if b"<!DOCTYPE" in body[:4096] or "<!DOCTYPE".encode("utf-16-le") in body[:8192]:
        raise UnreadableWorkbook("文件中含有XML文档类型声明（DTD/实体），正常的Word文件不会包含，出于安全原因拒收",
                                 "file-unsafe")


def _table_sheet(name: str, table) -> Sheet:
    """A Word table as a grid; a cell spanning rows or columns fills them all (as Excel merges
    are filled), with `merged_from` naming its top-left cell."""
    grid, origin, first_seen = [], {}, {}
    for r, row in enumerate(table.rows):
        values = []
        for c, cell in enumerate(row.cells):
            key = cell._tc  # the element itself: kept alive here, so identity is stable
            if key in first_seen:
                origin[(r, c)] = first_seen[key]
            else:
                first_seen[key] = (r, c)
            values.append(cell.text.strip() or None)
        grid.append(values)
    return Sheet(name, grid, origin)


def open_catalogue(data: bytes, suffix: str):
    """A book (workbook or Word document) for `data`; NotAuditable or UnreadableWorkbook if none."""
    return DocxBook(data) if file_kind(data, suffix) == "docx" else open_book(data)
