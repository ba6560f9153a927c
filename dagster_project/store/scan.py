"""What lies in the landing folder: every file with its size and mtime, and its bytes when asked.

Walking the folder costs one ``stat`` per file (``os.scandir`` tells files from folders
without one), which is all an unchanged file ever costs: at national scale the folder holds
about 100,000 files and nearly all of them are unchanged on a given run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

# Files the system or an open editor leaves beside submissions: nobody sent them.
_SYSTEM_NAMES = {"thumbs.db", "desktop.ini"}
# Notes beside the submissions (the sample's own README.md, a clerk's 说明.txt): no template
# is ever a text file, so reporting them as unrecognised submissions would be noise.
_NOTE_SUFFIXES = (".md", ".txt")


@dataclass
class LandedFile:
    location: str  # absolute path as listed; ``path`` makes the Path only for a file that is read
    rel: str
    size: int
    mtime_ns: int
    data: bytes = b""
    file_hash: str = ""
    # Receipt number of the first time these bytes were read: a sheet looked at again (it
    # waited for the registry) keeps its place in receipt order.
    first_seq: int | None = None
    # Set when the file is not read this run: (status, reason) of its one audit row.
    verdict_unread: tuple[str, str] | None = None

    @property
    def path(self) -> Path:
        return Path(self.location)

    @property
    def deferred(self) -> bool:
        return self.verdict_unread is not None and self.verdict_unread[0] == "deferred"

    @property
    def received_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.mtime_ns / 1e9, tz=dt.UTC).replace(tzinfo=None)


def not_a_submission(name: str) -> bool:
    """Hidden files (.DS_Store), Office's lock files (~$报表.xlsx), Thumbs.db and the like, and
    notes (README*, *.md, *.txt): skipped, never given an audit row (docs/operations.md)."""
    lower = name.lower()
    return name.startswith((".", "~$")) or lower in _SYSTEM_NAMES or lower.startswith("readme") or lower.endswith(_NOTE_SUFFIXES)


def scan(raw_dir: Path) -> list[LandedFile]:
    """Every file under the landing folder, in receipt order (mtime, then path): a file that
    is not a submission format still gets a status, so nothing sent goes unanswered.

    Hidden folders (.git) are not entered; folders reached through a symlink are not entered
    either, while a symlinked file is listed as the file it points to."""
    files = []
    folders = [(str(raw_dir), "")]
    while folders:
        folder, prefix = folders.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue  # removed or unreadable since it was listed
        with entries:
            for e in entries:
                try:
                    if e.is_dir(follow_symlinks=False):
                        if not e.name.startswith("."):
                            folders.append((e.path, f"{prefix}{e.name}/"))
                        continue
                    if not_a_submission(e.name) or not e.is_file():
                        continue
                    st = e.stat()
                except OSError:
                    continue  # removed since it was listed
                files.append(LandedFile(e.path, prefix + e.name, st.st_size, st.st_mtime_ns))
    files.sort(key=attrgetter("mtime_ns", "rel"))
    return files


def hash_file(path: Path) -> str:
    """SHA-256 of a file read in pieces: a file we do not load is never held in memory."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def take(f: LandedFile, whole: bool) -> tuple[int, int] | None:
    """Read the file (``whole``: its bytes into ``f.data``; otherwise only its hash) and stat
    it again: (size, mtime_ns) after reading, None when it vanished or was locked meanwhile.
    Comparing that with what the scan saw tells whether these bytes are the file."""
    try:
        if whole:
            f.data = f.path.read_bytes()
            f.file_hash = hashlib.sha256(f.data).hexdigest()
        else:
            f.file_hash = hash_file(f.path)
        st = f.path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns
