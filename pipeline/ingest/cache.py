"""A cache of parsed returns, so that a re-run reads only the files that changed.

An entry is keyed by everything a `ParsedReturn` depends on: the file's bytes (sha256), its name
(the unit may come from it), the quarter, the reference data and the reader's own source code and
library versions. Any change to one of them is a miss, so the cache can never change a result.
An entry carries a checksum of its payload; a torn, truncated or foreign entry is ignored (and
overwritten), never trusted. The folder is ours (outputs/.cache) and safe to delete.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
from pathlib import Path

from ..dates import Quarter
from ..fingerprint import code_fingerprint
from ..reference import Reference
from .returns import ParsedReturn

_MAGIC = b"zwgk-parsed-return-1\n"
_STAGED = ".staged"  # an entry written by a worker, not yet handed over
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


class ReturnCache:
    """Parsed returns on disk under `folder/returns/`."""

    def __init__(self, folder: str | Path, reference: Reference, quarter: Quarter):
        self.folder = Path(folder) / "returns"
        self._salt = f"{reader_fingerprint()}|{reference_fingerprint(reference)}|{quarter}"
        self._made: set[Path] = set()  # folders this process has made or found

    def key(self, sha256: str, name: str) -> str:
        return hashlib.sha256(f"{self._salt}|{name}|{sha256}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pkl"

    def get(self, key: str, name: str) -> ParsedReturn | None:
        try:
            raw = self._path(key).read_bytes()
        except OSError:
            return None
        head = len(_MAGIC) + 32
        if not raw.startswith(_MAGIC) or hashlib.sha256(raw[head:]).digest() != raw[len(_MAGIC):head]:
            return None
        try:
            value = pickle.loads(raw[head:])  # noqa: S301 - our own file, checksummed
        except Exception:
            return None
        return value if isinstance(value, ParsedReturn) and value.file == name else None

    def put(self, key: str, value: ParsedReturn) -> None:
        """Store; a cache that cannot be written (read-only disk, full) only costs speed."""
        staged = self.stage(key, dumps(value))
        if staged:
            self.commit(key, staged)

    def stage(self, key: str, payload: bytes) -> str:
        """Write the entry of a pickled `ParsedReturn` beside its place under a name of its own:
        a worker stages, the parent `commit`s once the result has reached it (so an input whose
        worker then dies or times out leaves no entry). "" when it cannot be written."""
        path = self._path(key)
        tmp = path.with_name(f".{key}.{os.getpid()}{_STAGED}")
        try:
            if path.parent not in self._made:  # one mkdir per folder, not per entry
                path.parent.mkdir(parents=True, exist_ok=True)
                self._made.add(path.parent)
            # the mode the user's umask gives (as open() does); O_NOFOLLOW: never write through
            # a link planted in the cache folder.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o666)
            with os.fdopen(fd, "wb") as f:
                f.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()
            return ""
        return str(tmp)

    def commit(self, key: str, staged: str) -> None:
        """Put a staged entry in place in one rename: the entry is the whole new one or none."""
        try:
            os.replace(staged, self._path(key))
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(staged)

    def discard(self, key: str) -> None:
        """Remove what a worker staged for `key` and never handed over (it died or timed out)."""
        for staged in self._path(key).parent.glob(f".{key}.*{_STAGED}"):
            with contextlib.suppress(OSError):
                staged.unlink()
