"""A forked child shares its parent's open files, offsets included: `own_files` gives it its own.

The hazard is shown first (a child reading an inherited buffered file garbles the parent's next
read), then that `own_files` removes it; both deterministic, no timing."""

from __future__ import annotations

import os

import pytest

from pipeline.processes import Forked, can_fork, open_files, own_files

pytestmark = pytest.mark.skipif(not can_fork() or not os.path.isdir("/proc/self/fd"),
                                reason="needs fork, two CPUs and /proc")


@pytest.fixture()
def font(tmp_path):
    path = tmp_path / "字体.otf"
    path.write_bytes(bytes(range(256)) * 64)  # byte i sits at every offset ≡ i (mod 256)
    return path


def _reads_after_a_child_read(path, give_own: bool) -> bytes:
    """Open `path` buffered, read a little, fork a child that reads elsewhere in it (as FreeType
    does: seek, read), then read on here past the buffer."""
    with open(path, "rb", buffering=64) as f:
        assert f.read(10) == bytes(range(10))  # 64 bytes buffered, the descriptor at offset 64
        files = open_files((".otf",))

        def child() -> bytes:
            if give_own:
                own_files(files)
            f.seek(5000)
            return f.read(300)

        assert Forked(child, "test-font-reader").result()[:2] == bytes([5000 % 256, 5001 % 256])
        return f.read(100)  # 54 bytes from the buffer, then from the descriptor


def test_without_own_files_the_child_moves_the_parents_offset(font):
    assert _reads_after_a_child_read(font, give_own=False) != bytes(range(10, 110))


def test_own_files_keeps_the_parents_reads_right(font):
    assert _reads_after_a_child_read(font, give_own=True) == bytes(range(10, 110))


def test_open_files_lists_only_the_suffixes_asked_with_offset_and_identity(font, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("x")
    with open(font, "rb") as f, open(other, "rb"):
        f.seek(123)
        found = open_files((".otf", ".ttf"))
        mine = {fd: v for fd, v in found.items() if v[0] == str(font)}
        assert list(mine) == [f.fileno()]
        path, offset, (dev, ino) = mine[f.fileno()]
        assert offset == 123 and (dev, ino) == (os.fstat(f.fileno()).st_dev, os.fstat(f.fileno()).st_ino)
        assert not any(v[0] == str(other) for v in found.values())


def test_own_files_skips_a_descriptor_closed_or_reused_since(font, tmp_path):
    f = open(font, "rb")  # noqa: SIM115 - closed by hand below, on purpose
    files = open_files((".otf",))
    fd = f.fileno()
    f.close()

    def child() -> bool:
        own_files(files)  # the number is free now: nothing to own, no error
        return True

    assert Forked(child, "test-closed").result()
    with open(tmp_path / "other.bin", "wb") as g:
        assert g.fileno() == fd  # the number went to another file

        def child2() -> int:
            own_files(files)
            return os.fstat(fd).st_ino

        assert Forked(child2, "test-reused").result() == os.fstat(g.fileno()).st_ino
