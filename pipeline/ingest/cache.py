"""A cache of parsed returns, so that a re-run reads only the files that changed.

An entry is keyed by everything a `ParsedReturn` depends on: the file's bytes (sha256), its name
(the unit may come from it), the quarter, the reference data and the reader's own source code and
library versions. Any change to one of them is a miss, so the cache can never change a result.
An entry carries a checksum of its payload; a torn, truncated or foreign entry is ignored (and
written again), never trusted. The folder is ours (outputs/.cache) and safe to delete.

Entries are kept in packs, one per run that parsed something: creating a file costs the kernel
far more than writing to one (0.02 ms on the ext4 measured, up to 0.6 ms in a folder where
thousands of files were just deleted, against ~10 µs to append an entry), and a province is
thousands of returns. The reading process appends the results as they come back from the
workers, so an input whose worker died or timed out has no entry. A pack is the payloads one after another, then its index (key, offset, length and sha256
of each payload), the index's length and sha256, and a magic line; it is written under a
temporary name and appears whole, in one rename, or not at all; its name starts with a digest
of what every key of it is salted with (reader, reference, quarter). A pack whose index does not
check out is ignored as a whole; an entry whose payload does not is ignored alone. (Entries of
the earlier one-file-per-entry layout, in folders 00-ff beside the packs, are never read.)

The office checks again after every return that arrives, so a quarter gathers a pack per check.
From COMPACT_FROM packs of one salt on, a run that writes a pack carries into it the entries it
found in the others (every file of the folder is looked up before any is parsed), then removes
them: the packs stay few, and the entries of files no longer there go with them.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import shutil
import struct
from pathlib import Path

from ..dates import Quarter
from ..fingerprint import code_fingerprint
from ..reference import Reference
from .returns import ParsedReturn

_MAGIC = b"zwgk-parsed-returns-pack-2\n"
_PACK = ".pack"
_TEMPORARY = ".tmp"  # a pack being written: `.<pid>-<token>.pack.tmp`
_ENTRY = struct.Struct("<32sQQ32s")  # key, offset, length, sha256 of the payload
_FOOTER = struct.Struct("<Q32s")      # the index's length and sha256; then _MAGIC
_FLUSH = 1 << 20  # payloads gathered before they are written
COMPACT_FROM = 8  # packs of one salt from which a run that writes one folds the others into it
# The modules whose code decides what a return reads as.
_READER_MODULES = ("ingest/returns.py", "ingest/workbook.py", "names.py", "dates.py", "textnorm.py",
                   "issues.py", "schemas.py", "reference.py")


@functools.lru_cache(maxsize=1)
def reader_fingerprint() -> str:
    """The reader's code and the libraries it parses with."""
    return code_fingerprint(_READER_MODULES, ("python-calamine", "defusedxml"))


def reference_fingerprint(reference: Reference) -> str:
    """The reference data by content (not by path: tests and users pass edited references)."""
    h = hashlib.sha256()
    for name in ("units", "tasks", "domains", "overrides"):
        frame = getattr(reference, name)
        h.update(name.encode() + b"\0" + frame.to_csv(index=False).encode() + b"\0")
    h.update(json.dumps(reference.settings.as_dict(), sort_keys=True, default=str, ensure_ascii=False).encode())
    return h.hexdigest()


def dumps(value: ParsedReturn) -> bytes:
    """The payload of an entry (and what a worker sends its parent: pickled once for both)."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def read_index(path: str | Path) -> list[tuple[bytes, int, int, bytes]]:
    """A pack's entries as (key, offset, length, sha256 of the payload); none when its index
    does not check out (a torn, truncated or foreign file)."""
    tail = _FOOTER.size + len(_MAGIC)
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size < tail:
                return []
            f.seek(size - tail)
            footer = f.read(tail)
            if len(footer) != tail or not footer.endswith(_MAGIC):
                return []
            length, digest = _FOOTER.unpack(footer[:_FOOTER.size])
            body = size - tail - length  # where the payloads end
            if length % _ENTRY.size or body < 0:
                return []
            f.seek(body)
            index = f.read(length)
    except OSError:
        return []
    if len(index) != length or hashlib.sha256(index).digest() != digest:
        return []
    return [entry for entry in _ENTRY.iter_unpack(index) if entry[1] + entry[2] <= body]


class ReturnCache:
    """Parsed returns on disk under `folder/returns/`: `get` reads the packs there, `put` (or
    `add`, given the payload) gathers this run's new entries, `close` writes them as one pack."""

    def __init__(self, folder: str | Path, reference: Reference, quarter: Quarter):
        self.folder = Path(folder) / "returns"
        self._salt = f"{reader_fingerprint()}|{reference_fingerprint(reference)}|{quarter}"
        # A pack's name starts with its salt's: a run reads only the packs it could hit.
        self._prefix = hashlib.sha256(self._salt.encode()).hexdigest()[:16] + "-"
        self._index: dict[bytes, list[tuple[Path, int, int, bytes]]] | None = None  # read at first use
        self._fd: int | None = None  # this run's pack, once it has an entry
        self._tmp: Path | None = None
        self._offset = 0
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._entries: list[bytes] = []  # _ENTRY records of this run's pack
        self._failed = False  # the pack could not be written: this run adds nothing
        self._packs: list[Path] = []  # the packs of this salt that were read
        self._open: dict[Path, int] = {}  # their descriptors, opened at the first entry read
        self._found: list[tuple[bytes, Path, int, int, bytes]] = []  # the entries `get` returned

    def __getstate__(self):  # what a spawned worker needs (`key`): not this run's pack
        state = self.__dict__.copy()
        state.update(_index=None, _fd=None, _tmp=None, _pending=[], _pending_size=0, _entries=[], _failed=True,
                     _packs=[], _open={}, _found=[])
        return state

    def key(self, sha256: str, name: str) -> str:
        return hashlib.sha256(f"{self._salt}|{name}|{sha256}".encode()).hexdigest()

    # --- reading ---------------------------------------------------------------------------
    def _stored(self) -> dict[bytes, list[tuple[Path, int, int, bytes]]]:
        """key → where its payloads are (pack, offset, length, sha256), from every pack's index."""
        if self._index is None:
            self._index = {}
            try:
                names = sorted(os.listdir(self.folder))
            except OSError:
                names = []
            for name in names:
                if name.endswith(_PACK) and name.startswith(self._prefix):
                    self._read_index(self.folder / name)
                    self._packs.append(self.folder / name)
                elif name.endswith(_PACK + _TEMPORARY):
                    self._tidy(name)
                elif len(name) == 2 and all(c in "0123456789abcdef" for c in name):
                    # a folder of the one-file-per-entry layout: never read, so removed
                    shutil.rmtree(self.folder / name, ignore_errors=True)
        return self._index

    def _read_index(self, path: Path) -> None:
        for key, offset, length, check in read_index(path):
            self._index.setdefault(key, []).append((path, offset, length, check))

    def _tidy(self, name: str) -> None:
        """Remove a pack left half-written by a run that was killed (its pid no longer lives)."""
        pid = name[1:].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
            with contextlib.suppress(OSError):
                (self.folder / name).unlink()

    def empty(self) -> bool:
        """No entry is stored for this reader, reference and quarter: nothing to look up."""
        return not self._stored()

    def get(self, key: str, name: str) -> ParsedReturn | None:
        wanted = bytes.fromhex(key)
        for path, offset, length, check in self._stored().get(wanted, ()):
            raw = self._payload(path, offset, length, check)
            if raw is None:
                continue
            try:
                value = pickle.loads(raw)  # noqa: S301 - our own file, checksummed
            except Exception:
                continue
            if isinstance(value, ParsedReturn) and value.file == name:
                self._found.append((wanted, path, offset, length, check))
                return value
        return None

    def _payload(self, path: Path, offset: int, length: int, check: bytes) -> bytes | None:
        """An entry's payload, or None when it cannot be read or does not check out."""
        try:
            if path not in self._open:
                self._open[path] = os.open(path, os.O_RDONLY)
            raw = os.pread(self._open[path], length, offset)
        except OSError:
            return None
        return raw if len(raw) == length and hashlib.sha256(raw).digest() == check else None

    def _release(self) -> None:
        for fd in self._open.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._open = {}

    # --- writing ---------------------------------------------------------------------------
    def put(self, key: str, value: ParsedReturn) -> None:
        """Store; a cache that cannot be written (read-only disk, full) only costs speed."""
        self.add(key, dumps(value))

    def add(self, key: str, payload: bytes, digest: bytes | None = None) -> None:
        """Add the entry of a pickled `ParsedReturn` (`digest`: its sha256, if known) to this
        run's pack. Only a result that has reached this process is added, so an input whose
        worker died or timed out leaves no entry."""
        if self._failed:
            return
        try:
            if self._fd is None:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._tmp = self.folder / f".{os.getpid()}-{os.urandom(6).hex()}{_PACK}{_TEMPORARY}"
                # the mode the user's umask gives (as open() does); O_NOFOLLOW | O_EXCL: never
                # write through a link planted in the cache folder.
                self._fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                                   0o666)
            self._entries.append(_ENTRY.pack(bytes.fromhex(key), self._offset, len(payload),
                                             digest or hashlib.sha256(payload).digest()))
            self._offset += len(payload)
            self._pending.append(payload)
            self._pending_size += len(payload)
            if self._pending_size >= _FLUSH:
                self._flush()
        except (OSError, ValueError):
            self.abandon()

    def _flush(self) -> None:
        data = memoryview(b"".join(self._pending))
        self._pending, self._pending_size = [], 0
        while data:
            data = data[os.write(self._fd, data):]

    def close(self) -> None:
        """Write this run's pack: its index, then one rename makes it visible, whole. From
        COMPACT_FROM packs of this salt on, the entries found in them come along, and they go."""
        folded = self._fd is not None and len(self._packs) >= COMPACT_FROM
        if folded:
            for key, path, offset, length, check in self._found:
                raw = self._payload(path, offset, length, check)
                if raw is not None:
                    self.add(key.hex(), raw, check)
        self._release()
        if self._fd is None:
            return
        try:
            index = b"".join(self._entries)
            digest = hashlib.sha256(index).digest()
            self._pending.append(index + _FOOTER.pack(len(index), digest) + _MAGIC)
            self._flush()
            os.close(self._fd)
            self._fd = None
            made = self.folder / f"{self._prefix}{digest.hex()[:32]}{_PACK}"
            os.replace(self._tmp, made)
        except OSError:
            self.abandon()
            return
        self._tmp, self._entries, self._offset = None, [], 0
        if folded:  # what they held that is still wanted is in the new pack now
            for pack in self._packs:
                if pack != made:
                    with contextlib.suppress(OSError):
                        pack.unlink()
        self._packs, self._found = [], []

    def abandon(self) -> None:
        """Give up this run's pack (it cannot be written): nothing of it stays, and nothing more
        is added."""
        self._failed = True
        self._release()
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                self._tmp.unlink()
            self._tmp = None
        self._pending, self._pending_size, self._entries = [], 0, []
