"""Archives sent in place of files: the members of a `.zip`, read as if they lay in the folder.

Generic (returns and catalogues alike): `zip_members(data)` lists each member's path (names
written by WinRAR/360/Windows in GBK, or in UTF-8) with its bytes, under the same limits as a
workbook's own zip (`workbook`: entries, total and per-member size, ratio), inflating each
member in bounded chunks and checking its CRC. Other archive formats have no well-kept
pure-Python reader available here, so they are refused with `PACKED`.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from .workbook import MAX_FILE_BYTES, MAX_UNZIPPED_BYTES, MAX_ZIP_ENTRIES, _inflate, _too_packed

ZIP_SUFFIXES = (".zip",)
PACKED_SUFFIXES = (".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".cab", ".arj", ".zipx")
PACKED = "压缩包，请解压后报送"
SEPARATOR = "!"  # archive.zip!folder/member.xlsx


class UnreadableArchive(Exception):
    """The archive as a whole cannot be read; `code` is the issue code, the message Chinese."""

    def __init__(self, message: str, code: str = "file-unreadable"):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Member:
    """One file of an archive: its path inside it, its bytes, or why it could not be taken out."""

    name: str
    data: bytes = b""
    problem: str = ""        # Chinese; empty when `data` holds the member
    code: str = ""           # issue code of the problem


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's path as its writer meant it: UTF-8 when flagged, else UTF-8 if it decodes,
    else GBK (what Chinese Windows tools write), else as zipfile read it (cp437)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def zip_members(data: bytes) -> list[Member]:
    """Every file member of a zip archive (folders skipped), in the archive's order.

    Raises UnreadableArchive for a broken archive or one past the limits (zip bomb); a single
    member that cannot be taken out (encrypted, too big, broken) is a Member with a problem."""
    bomb = UnreadableArchive("压缩包解压后体积异常（疑似“压缩炸弹”），出于安全原因拒收，请解压后直接报送Excel文件",
                             "file-unsafe")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, EOFError, struct.error) as exc:
        raise UnreadableArchive("压缩包已损坏，无法打开，请解压后直接报送Excel文件") from exc
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
            raise bomb
        out, total = [], 0
        for info in infos:
            name = member_name(info)
            if info.flag_bits & 0x1:
                out.append(Member(name, problem="压缩包设置了密码，无法读取，请解压后直接报送Excel文件",
                                  code="file-unreadable"))
                continue
            if info.file_size > MAX_FILE_BYTES or _too_packed(info.file_size, info.compress_size):
                out.append(Member(name, problem="压缩包中的文件过大或压缩比异常，出于安全原因拒收，请删除无关内容后直接报送",
                                  code="file-unsafe"))
                continue
            chunks, size = [], 0
            try:
                for chunk in _inflate(zf, data, info):
                    size += len(chunk)
                    total += len(chunk)
                    if total > MAX_UNZIPPED_BYTES or size > MAX_FILE_BYTES:
                        raise bomb
                    chunks.append(chunk)
            except UnreadableArchive:
                raise
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error,
                    NotImplementedError, RuntimeError):
                out.append(Member(name, problem="压缩包中的该文件已损坏或压缩方式无法识别，请解压后直接报送",
                                  code="file-unreadable"))
                continue
            out.append(Member(name, b"".join(chunks)))
    return out


def is_archive(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in ZIP_SUFFIXES + PACKED_SUFFIXES


def inner_name(name: str) -> str:
    """The file name a ledger name ends with (`a.zip!folder/b.xlsx` → `b.xlsx`)."""
    return PurePosixPath(name.rsplit(SEPARATOR, 1)[-1]).name
