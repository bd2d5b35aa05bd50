"""What a cached result depends on besides its data: the code that made it and the libraries.

The parse cache (ingest/cache.py) and the feedback cache (render/feedback.py) key their entries
with it, so that a new version of either never reuses what an old one made."""

from __future__ import annotations

import hashlib
import sys
import zlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent  # the package: module paths are relative to it


def code_fingerprint(modules: tuple[str, ...], libraries: tuple[str, ...] = (), settings: str = "") -> str:
    """sha256 of the `modules`' source (paths relative to the package), the `libraries`'
    versions (distribution names), `settings`, Python's version and zlib's. Raises OSError when
    a module's source cannot be read (the caller then works without its cache)."""
    h = hashlib.sha256(f"python {sys.version_info[:2]} zlib {zlib.ZLIB_RUNTIME_VERSION}\0{settings}".encode())
    for name in libraries:
        try:
            h.update(f"\0{name} {version(name)}".encode())
        except PackageNotFoundError:
            h.update(f"\0{name} ?".encode())
    for rel in modules:
        h.update(b"\0" + rel.encode() + b"\0" + (ROOT / rel).read_bytes())
    return h.hexdigest()
