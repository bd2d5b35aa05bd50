"""Checks that the XML defences are in place before any untrusted workbook is read.

Returns are read by python-calamine (Rust, quick-xml: it does not expand DTD entities, and
`workbook._check_container` refuses any workbook part that declares a DTD before it is parsed).
openpyxl is only used to write, but if anything parses workbook XML with it, it must go through
defusedxml. `verify_xml_defences()` proves that with live probes rather than trusting flags.
"""

from __future__ import annotations

import functools
import io
import os
import sys

from .errors import ZwgkError

# Nested entities: harmless at this size, but a parser that expands them would show "aaaa…".
_PROBE = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
          b"<x>&b;</x>")
_FIX = "请重新安装依赖（make install，需 defusedxml>=0.7），并确认未设置环境变量 OPENPYXL_DEFUSEDXML=False"


class UnsafeEnvironment(ZwgkError, RuntimeError):
    """The XML defences are missing; the message (Chinese) says how to restore them."""


@functools.lru_cache(maxsize=2)
def _verified(openpyxl_loaded: bool) -> None:
    _verify()


def verify_xml_defences() -> None:
    """Raise `UnsafeEnvironment` unless the XML defences hold (checked once, and again once
    openpyxl has been loaded)."""
    _verified("openpyxl" in sys.modules)


def _verify() -> None:
    """Raise `UnsafeEnvironment` unless defusedxml is installed, refuses entity declarations,
    and is the XML layer openpyxl reads with."""
    try:
        import defusedxml.ElementTree as safe_et
    except ImportError as exc:
        raise UnsafeEnvironment(f"缺少 defusedxml，无法安全读取报表。{_FIX}") from exc
    if not _refuses(lambda: safe_et.fromstring(_PROBE)):
        raise UnsafeEnvironment(f"defusedxml 未拒绝XML实体声明，无法安全读取报表。{_FIX}")
    if "openpyxl" not in sys.modules:
        # Not loaded (importing it costs ~0.1 s): it will use defusedxml, which is installed,
        # unless this variable turns that off; the live probes run once it is loaded.
        if os.environ.get("OPENPYXL_DEFUSEDXML", "True") != "True":
            raise UnsafeEnvironment(f"环境变量 OPENPYXL_DEFUSEDXML 关闭了 openpyxl 的 defusedxml 防护。{_FIX}")
        return
    import openpyxl
    from openpyxl.xml import functions as oxml

    if not openpyxl.DEFUSEDXML:
        raise UnsafeEnvironment(f"openpyxl 未启用 defusedxml。{_FIX}")
    if not _refuses(lambda: list(oxml.iterparse(io.BytesIO(_PROBE)))):
        raise UnsafeEnvironment(f"openpyxl 的XML解析未经 defusedxml 防护。{_FIX}")
    if not _refuses(lambda: oxml.fromstring(_PROBE)):
        raise UnsafeEnvironment(f"openpyxl 的XML解析会展开实体。{_FIX}")


def _refuses(parse) -> bool:
    """True when parsing the probe fails or leaves the entities unexpanded."""
    try:
        root = parse()
    except Exception:
        return True
    node = root[-1][1] if isinstance(root, list) and root else root
    text = getattr(node, "text", None) or ""
    return "aaaa" not in text


def defuse_process() -> None:
    """Patch the stdlib XML parsers of this process to their defused versions; for worker
    processes, which only ever parse untrusted files (never the parent, to keep its libraries'
    behaviour unchanged)."""
    import defusedxml

    defusedxml.defuse_stdlib()


@functools.lru_cache(maxsize=1)
def preload_defusedxml() -> None:
    """Import (not apply) what `defuse_process` needs, once, in the parent: forked workers then
    inherit the modules and patching costs them nothing instead of ~60 ms of imports each."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import defusedxml.cElementTree  # noqa: F401
    import defusedxml.expatbuilder  # noqa: F401
    import defusedxml.expatreader  # noqa: F401
    import defusedxml.minidom  # noqa: F401
    import defusedxml.pulldom  # noqa: F401
    import defusedxml.sax  # noqa: F401
    import defusedxml.xmlrpc  # noqa: F401
