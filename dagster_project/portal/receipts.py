"""The receipts the portal may serve: the files ``publish.receipts`` writes, read in place.

Receipts are written per batch into ``reports/receipts/<batch>/`` as ``<code>_<name>.html``
(or ``<code>.html``), and the files nobody could be named for as
``unidentified_未识别来源.html``, addressed to the city. The submitter code is the file
name up to the first ``_``; a scope sees a receipt only when it covers that code.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from dagster_project.core.files import temp_owner
from dagster_project.portal.accounts.scope import Scope
from dagster_project.portal.snapshot import vocwh_settings
from dagster_project.publish.receipts import receipt_submitter

# A batch folder and a receipt name are one path segment each: nothing that climbs out.
_SEGMENT = re.compile(r"^[^/\\\x00]+$")


@dataclass(frozen=True)
class Receipt:
    batch: str
    name: str
    submitter_code: str | None  # None: the city's receipt of unattributed files
    written_at: dt.datetime
    path: Path

    @property
    def label(self) -> str:
        return Path(self.name).stem.split("_", 1)[1] if "_" in self.name else self.submitter_code or ""


def receipts_dir() -> Path:
    return vocwh_settings().reports_dir / "receipts"


def _receipt(batch_dir: Path, f: Path) -> Receipt:
    return Receipt(
        batch=batch_dir.name,
        name=f.name,
        submitter_code=receipt_submitter(f.name),
        written_at=dt.datetime.fromtimestamp(f.stat().st_mtime, tz=dt.UTC),
        path=f,
    )


def receipts_for(scope: Scope, limit: int = 50) -> list[Receipt]:
    """The scope's receipts, newest first."""
    root = receipts_dir()
    if not root.is_dir():
        return []
    found: list[Receipt] = []
    for batch_dir in root.iterdir():
        if not batch_dir.is_dir() or batch_dir.is_symlink():
            continue
        for f in batch_dir.glob("*.html"):
            if temp_owner(f) is not None or not f.is_file():
                continue
            r = _receipt(batch_dir, f)
            if scope.covers(r.submitter_code):
                found.append(r)
    found.sort(key=lambda r: (r.written_at, r.batch, r.name), reverse=True)
    return found[:limit]


def find_receipt(scope: Scope, batch: str, name: str) -> Receipt | None:
    """The receipt at ``batch/name`` if it exists, is a plain file inside the receipts folder and
    is the scope's; None otherwise (the view answers 404 alike, so nobody learns which)."""
    if not (_SEGMENT.match(batch) and _SEGMENT.match(name)) or batch in (".", "..") or name in (".", ".."):
        return None
    if not name.endswith(".html") or temp_owner(Path(name)) is not None:
        return None
    root = receipts_dir().resolve()
    path = root / batch / name
    try:
        if path.is_symlink() or path.parent.is_symlink() or path.resolve().parent.parent != root or not path.is_file():
            return None
    except OSError:
        return None
    r = _receipt(path.parent, path)
    return r if scope.covers(r.submitter_code) else None
