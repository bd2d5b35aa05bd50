"""Builders of hostile and broken files for the tests: each made by code, small on disk.

- `minimal_xlsx(sheet_xml)`: a bare SpreadsheetML package around one worksheet part, for cells
  and XML that no spreadsheet program would write (XFD1048576, DTDs).
- `zip_bomb()`: an .xlsx whose sheet inflates to 1 GiB from about 1 MB (repeated deflate blocks,
  so building it costs one 1 MiB compression, not 1 GiB).
- `cfb(streams)`: a minimal OLE compound file, to hold an encrypted OOXML package
  (EncryptionInfo + EncryptedPackage) or a password-protected BIFF8 .xls (FILEPASS record).
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib

_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
       '</Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
         '</Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
       '<sheets><sheet name="任务进展" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '</Relationships>')
SHEET_PART = "xl/worksheets/sheet1.xml"


def sheet_xml(cells: dict[str, str], doctype: str = "") -> str:
    """A worksheet part with inline-string cells {"A1": "text"}; text is inserted raw (entities)."""
    rows: dict[int, list[str]] = {}
    for ref, text in cells.items():
        row = int("".join(ch for ch in ref if ch.isdigit()))
        rows.setdefault(row, []).append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
    body = "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + doctype
            + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + f"<sheetData>{body}</sheetData></worksheet>")


def minimal_xlsx(sheet: str | bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        z.writestr(SHEET_PART, sheet)
    return buf.getvalue()


def far_cell_xlsx() -> bytes:
    """One value in A1 and one in XFD1048576: python-calamine allocates the whole 16384 x
    1048576 grid (512 GiB) for the sheet and aborts the process when that fails."""
    return minimal_xlsx(sheet_xml({"A1": "任务编号", "XFD1048576": "x"}))


def far_cell_xls() -> bytes:
    """A 6 KB .xls with values in A1 and IV65536 (the last cell of BIFF8): python-calamine
    builds the 65536 x 256 grid, about 1 GB, before anything can look at it."""
    import tempfile

    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("任务进展")
    ws.write(0, 0, "任务编号")
    ws.write(65535, 255, "x")
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/far.xls"
        wb.save(path)
        with open(path, "rb") as f:
            return f.read()


BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">'
                            for i in range(1, 10)) + "]>")
EXTERNAL_ENTITY = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
QUADRATIC = '<!DOCTYPE x [<!ENTITY a "' + "A" * 20_000 + '">]>'


def xml_attack_xlsx(kind: str) -> bytes:
    doctype, text = {"billion-laughs": (BILLION_LAUGHS, "&lol9;"),
                     "external-entity": (EXTERNAL_ENTITY, "&e;"),
                     "quadratic": (QUADRATIC, "&a;" * 20_000)}[kind]
    return minimal_xlsx(sheet_xml({"A1": "任务编号", "A2": text}, doctype))


def _deflate_zeros(total: int) -> tuple[bytes, int]:
    """Raw deflate of `total` zero bytes (a multiple of 1 MiB), and its CRC-32."""
    chunk = 1024 * 1024
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(b"\0" * chunk) + comp.flush(zlib.Z_FULL_FLUSH)  # history reset: repeatable
    crc, zeros = 0, b"\0" * chunk
    for _ in range(total // chunk):
        crc = zlib.crc32(zeros, crc)
    return block * (total // chunk) + b"\x03\x00", crc  # + an empty final block


def zip_bomb(total: int = 1024 ** 3, declared: int | None = None) -> bytes:
    """An .xlsx whose worksheet inflates to `total` bytes; `declared` lies about that size in
    the headers (a bomb that passes a size check on the directory alone)."""
    head = minimal_xlsx(sheet_xml({"A1": "任务编号"}))
    src = zipfile.ZipFile(io.BytesIO(head))
    entries = [(i.filename, zlib.compress(src.read(i), 9)[2:-4], zlib.crc32(src.read(i)), i.file_size)
               for i in src.infolist() if i.filename != SHEET_PART]
    data, crc = _deflate_zeros(total)
    entries.append((SHEET_PART, data, crc, total if declared is None else declared))
    out, central = io.BytesIO(), io.BytesIO()
    for name, packed, crc, size in entries:
        raw, offset = name.encode(), out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(packed), size,
                              len(raw), 0) + raw + packed)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                                  len(packed), size, len(raw), 0, 0, 0, 0, 0, offset) + raw)
    cd = central.getvalue()
    start = out.tell()
    out.write(cd + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(cd), start, 0))
    return out.getvalue()


# --- OLE compound files --------------------------------------------------------------------
_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _dir_entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
    raw = name.encode("utf-16-le") + b"\0\0" if name else b""
    return (raw.ljust(64, b"\0") + struct.pack("<HBB3I", len(raw), kind, 1 if kind else 0,
                                               _NOSTREAM, right, child)
            + b"\0" * 36 + struct.pack("<IQ", start, size))


def cfb(streams: dict[str, bytes]) -> bytes:
    """A compound file (v3, 512-byte sectors) holding up to three streams. Each stream is padded
    to 4096 bytes so that it lives in ordinary sectors (no mini stream to build)."""
    assert len(streams) <= 3
    fat, data, entries = [_FATSECT, _END], [], []
    for n, (name, payload) in enumerate(streams.items(), start=1):
        payload = payload.ljust(4096, b"\0")
        start, count = len(fat), -(-len(payload) // 512)
        fat += [start + k + 1 for k in range(count - 1)] + [_END]
        data.append(payload.ljust(count * 512, b"\0"))
        entries.append(_dir_entry(name, 2, _NOSTREAM, n + 1 if n < len(streams) else _NOSTREAM,
                                  start, len(payload)))
    entries = [_dir_entry("Root Entry", 5, 1 if streams else _NOSTREAM, _NOSTREAM, _END, 0), *entries]
    entries += [_dir_entry("", 0, _NOSTREAM, _NOSTREAM, 0, 0)] * (4 - len(entries))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<9I", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
              + struct.pack("<109I", 0, *[_FREE] * 108))
    fat_sector = struct.pack("<128I", *(fat + [_FREE] * (128 - len(fat))))
    return header + fat_sector + b"".join(entries) + b"".join(data)


def encrypted_xlsx() -> bytes:
    """What Excel saves for an .xlsx with an open password: an OLE file, not a zip."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b"<encryption/>"  # agile encryption, version 4.4
    return cfb({"EncryptionInfo": info, "EncryptedPackage": struct.pack("<Q", 1000) + bytes(range(256)) * 4})


def encrypted_xls() -> bytes:
    """A BIFF8 .xls with an open password: BOF, then a FILEPASS record (RC4 CryptoAPI)."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0x41, 6)
    filepass = struct.pack("<HH", 0x002F, 54) + struct.pack("<HHH", 1, 1, 2) + b"\x11" * 48
    return cfb({"Workbook": bof + filepass + struct.pack("<HH", 0x000A, 0)})


def random_bytes(n: int = 5000, seed: int = 8) -> bytes:
    return random.Random(seed).randbytes(n)


def docx_bytes() -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph("灵宝市2020年第三季度工作进展")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
