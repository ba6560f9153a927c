"""Writing files so that a crash never leaves half of one, and cleaning up after one that did.

Every output is written to ``<name>.tmp-<pid>`` beside its final place and renamed onto it
in one step: a reader sees the old file or the new one, never a mix. The pid in the name
tells a later run whether the writer is still alive; a temp file of a dead writer is
garbage (kill -9, power loss) and is removed at the start of the next publish.
"""

from __future__ import annotations

import os
import re
import shutil
from contextlib import suppress
from pathlib import Path

_TEMP_PID = re.compile(r"\.tmp-(\d+)")


def temp_path(path: Path, keep_suffix: bool = False) -> Path:
    """Where ``path`` is written before it is renamed into place. ``keep_suffix`` puts the pid
    before the extension (``finance_2023.tmp-42.xlsx``) for writers that care about it."""
    if keep_suffix:
        return path.with_name(f"{path.stem}.tmp-{os.getpid()}{path.suffix}")
    return path.with_name(f"{path.name}.tmp-{os.getpid()}")


def replace_atomically(tmp: Path, path: Path) -> None:
    """Rename a finished temp file onto ``path``, its bytes on disk first (a rename that
    survives a power cut must not point at data that did not)."""
    with tmp.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write aside then rename: someone opening the file never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path)
    try:
        tmp.write_bytes(data)
        replace_atomically(tmp, path)
    finally:
        with suppress(FileNotFoundError):
            tmp.unlink()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def temp_owner(path: Path) -> int | None:
    m = _TEMP_PID.search(path.name)
    return int(m.group(1)) if m else None


def sweep_temp_files(folder: Path, pattern: str = "*", recursive: bool = False, run_lock_held: bool = False) -> list[Path]:
    """Remove temp files (and temp folders) matching ``pattern`` left by dead writers.

    A pid can be reused by an unrelated process, so a live pid alone does not prove the
    writer is alive: when the caller holds the warehouse's run lock no other vocwh
    process can be writing there, and every temp file but this process's own is removed."""
    if not folder.exists():
        return []
    removed: list[Path] = []
    candidates = folder.rglob(pattern) if recursive else folder.glob(pattern)
    for p in sorted(candidates):
        pid = temp_owner(p)
        if pid is None or pid == os.getpid() or (not run_lock_held and pid_alive(pid)):
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            with suppress(FileNotFoundError):
                p.unlink()
        removed.append(p)
    return removed
