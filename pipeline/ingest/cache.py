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
import pickle
import sys
from pathlib import Path

from ..dates import Quarter
from ..outputs import atomic_path
from ..reference import Reference
from .returns import ParsedReturn

_MAGIC = b"zwgk-parsed-return-1\n"
# The modules whose code decides what a return reads as.
_READER_MODULES = ("ingest/returns.py", "ingest/workbook.py", "names.py", "dates.py", "textnorm.py",
                   "issues.py", "schemas.py", "reference.py")


@functools.lru_cache(maxsize=1)
def reader_fingerprint() -> str:
    """The reader's code and the libraries it parses with."""
    import python_calamine

    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for rel in _READER_MODULES:
        h.update(rel.encode() + b"\0" + (root / rel).read_bytes() + b"\0")
    h.update(f"{sys.version_info[:2]} calamine {getattr(python_calamine, '__version__', '?')}".encode())
    return h.hexdigest()


def reference_fingerprint(reference: Reference) -> str:
    """The reference data by content (not by path: tests and users pass edited references)."""
    h = hashlib.sha256()
    for name in ("units", "tasks", "domains", "overrides"):
        frame = getattr(reference, name)
        h.update(name.encode() + b"\0" + frame.to_csv(index=False).encode() + b"\0")
    h.update(json.dumps(reference.settings.as_dict(), sort_keys=True, default=str, ensure_ascii=False).encode())
    return h.hexdigest()


class ReturnCache:
    """Parsed returns on disk under `folder/returns/`."""

    def __init__(self, folder: str | Path, reference: Reference, quarter: Quarter):
        self.folder = Path(folder) / "returns"
        self._salt = f"{reader_fingerprint()}|{reference_fingerprint(reference)}|{quarter}"

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

        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        with contextlib.suppress(OSError), atomic_path(self._path(key)) as tmp:
            tmp.write_bytes(_MAGIC + hashlib.sha256(payload).digest() + payload)
