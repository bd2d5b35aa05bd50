"""Module-level functions for the worker-pool tests (spawned workers must import them)."""

from __future__ import annotations

import os
import time


def misbehave(kind: str):
    """Return `kind` doubled, or fail the way a hostile file makes a parser fail."""
    if kind == "abort":
        os.abort()  # what python-calamine does when an allocation fails
    if kind == "exit":
        os._exit(3)
    if kind == "hang":
        time.sleep(600)
    if kind == "spin":
        while True:
            pass
    if kind == "hog":
        return len(bytearray(8 * 1024 ** 3))  # beyond any sane cap: MemoryError
    if kind == "raise":
        raise ValueError("坏文件")
    if kind == "unpicklable":
        return lambda: None
    return kind * 2


def pid(_: object) -> int:
    return os.getpid()


def limits_here(_: object) -> tuple[int, int]:
    import resource

    return resource.getrlimit(resource.RLIMIT_AS)[0], resource.getrlimit(resource.RLIMIT_CORE)[1]


def stdlib_expands_entities(_: object) -> bool:
    """Whether the stdlib XML parser of this process expands a (tiny) entity declaration."""
    import xml.etree.ElementTree as ET

    try:
        return "aaaa" in (ET.fromstring('<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>').text or "")
    except Exception:
        return False


def die_at_start() -> None:
    """A worker initializer that takes its process down before any input arrives."""
    os._exit(5)
