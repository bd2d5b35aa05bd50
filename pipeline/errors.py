"""Errors meant for the user, and the exit codes every command shares (DESIGN §6).

0 done; 1 the returns have errors (`check`, `receive`); 2 usage error (a quarter or folder that
does not exist, bad reference data); 3 the workspace cannot be read or written (no space,
read-only, no permission). The CLI turns a `ZwgkError` into its message and `exit_code`, and an
`OSError` of the workspace into a `WorkspaceError` (`workspace_error`): never a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import re
from collections.abc import Iterator
from pathlib import Path

EXIT_OK, EXIT_RETURN_ERRORS, EXIT_USAGE, EXIT_WORKSPACE = 0, 1, 2, 3


class ZwgkError(Exception):
    """A library error whose message is written for the office, not for a developer."""

    exit_code = EXIT_USAGE


class WorkspaceError(ZwgkError):
    """The workspace cannot be read or written; the message names the path and what to do."""

    exit_code = EXIT_WORKSPACE


# errno -> what happened, what to do ({path} is the file or folder concerned)
_MESSAGES = {
    errno.ENOSPC: "磁盘空间不足，无法写入“{path}”：请清理该磁盘或用 --workspace 换到空间充足的目录后重新运行。",
    errno.EDQUOT: "磁盘配额已用完，无法写入“{path}”：请清理文件或用 --workspace 换到其他目录后重新运行。",
    errno.EROFS: "“{path}”所在的磁盘是只读的，无法写入：请用 --workspace 换到可写的目录后重新运行。",
    errno.EACCES: "没有权限读写“{path}”：请检查该文件或文件夹的权限（或请管理员开放权限）后重新运行。",
    errno.EPERM: "没有权限读写“{path}”：请检查该文件或文件夹的权限（或请管理员开放权限）后重新运行。",
    errno.EIO: "读写“{path}”时磁盘出错：请检查磁盘或网络盘的连接后重新运行。",
}
WORKSPACE_ERRNOS = frozenset(_MESSAGES)
_ERRNO_TEXT = re.compile(r"\[?errno (\d+)\]?", re.IGNORECASE)  # pyarrow: "[errno 28] No space left"


def os_error_in(exc: BaseException) -> OSError | None:
    """The OSError of the workspace behind `exc` (itself, its cause or context, or an
    exception wrapping one as its first argument, as xlsxwriter's FileCreateError does)."""
    seen = set()
    todo = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, OSError):
            code = e.errno
            if code is None:
                m = _ERRNO_TEXT.search(str(e))
                code = int(m.group(1)) if m else None
            if code in WORKSPACE_ERRNOS:
                if e.errno != code:
                    e = OSError(code, e.strerror or str(e), e.filename)
                return e
        todo += [e.__cause__, e.__context__] + [a for a in getattr(e, "args", ())[:1]
                                                  if isinstance(a, BaseException)]
    return None


_STAGE = re.compile(r"^\.(?P<name>.+)\.\d+\.[^.]+\.tmp$")  # outputs.staged_dir's folders


def _as_the_user_knows_it(path: Path) -> Path:
    """A path without the temporary names of atomic writes: a temp file is named by its folder,
    a staging folder `.2021Q1.<pid>.<random>.tmp` by the folder it stands in for (2021Q1)."""
    if path.name.startswith(".") and path.name.endswith(".tmp") and not _STAGE.match(path.name):
        path = path.parent
    parts = [m.group("name") if (m := _STAGE.match(part)) else part for part in path.parts]
    return Path(*parts)


def workspace_error(exc: OSError, path: str | Path | None = None) -> WorkspaceError:
    """The Chinese sentence for an OSError of the workspace: what happened at which path and
    what to do. A temporary file of an atomic write is named by its folder."""
    where = _as_the_user_knows_it(Path(path or exc.filename or "工作目录"))
    template = _MESSAGES.get(exc.errno,
                             "无法读写“{path}”（{reason}）：请检查该路径后重新运行。")
    return WorkspaceError(template.format(path=where, reason=exc.strerror or exc))


@contextlib.contextmanager
def writing(path: str | Path) -> Iterator[None]:
    """Writes under `path`: an OSError of the workspace that names no file of its own (pyarrow,
    a zip writer) becomes a WorkspaceError naming `path`."""
    try:
        yield
    except WorkspaceError:
        raise
    except Exception as exc:
        found = os_error_in(exc)
        if found is None or found.filename:
            raise
        raise workspace_error(found, path) from exc
