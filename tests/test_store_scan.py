"""Listing the landing folder: what counts as sent, in receipt order, one stat per file."""

from __future__ import annotations

import os
from pathlib import Path

from dagster_project.store.scan import scan, take

T0 = 1_700_000_000 * 10**9


def put(root: Path, rel: str, content: bytes, mtime_ns: int) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(content)
    os.utime(p, ns=(mtime_ns, mtime_ns))
    return p


def test_receipt_order_is_mtime_then_path_and_clutter_is_not_listed(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    put(raw, "县区B/学校/培训.csv", b"12345", T0 + 2)
    put(raw, "县区A/名录.xlsx", b"123", T0 + 2)
    put(raw, "早.csv", b"1", T0)
    put(raw, "~$培训.xlsx", b"lock", T0)  # Office's lock file
    put(raw, "县区A/Thumbs.db", b"x", T0)
    put(raw, "县区A/desktop.ini", b"x", T0)
    put(raw, ".DS_Store", b"x", T0)
    put(raw, ".git/config", b"x", T0)  # a hidden folder is not entered
    put(raw, "~$旧/报表.csv", b"12", T0 + 1)  # only a file named ~$… is a lock file
    (raw / "空文件夹").mkdir()
    files = scan(raw)
    assert [(f.rel, f.size, f.mtime_ns) for f in files] == [
        ("早.csv", 1, T0),
        ("~$旧/报表.csv", 2, T0 + 1),
        ("县区A/名录.xlsx", 3, T0 + 2),
        ("县区B/学校/培训.csv", 5, T0 + 2),
    ]
    assert files[3].path == raw / "县区B" / "学校" / "培训.csv"
    assert files[0].received_at.isoformat() == "2023-11-14T22:13:20"


def test_a_symlinked_file_is_listed_a_symlinked_folder_is_not_entered(tmp_path: Path) -> None:
    raw, elsewhere = tmp_path / "raw", tmp_path / "elsewhere"
    target = put(elsewhere, "报表.csv", b"1234", T0)
    put(elsewhere, "sub/深处.csv", b"1", T0)
    raw.mkdir()
    (raw / "链接.csv").symlink_to(target)
    (raw / "链接目录").symlink_to(elsewhere / "sub", target_is_directory=True)
    (raw / "断链.csv").symlink_to(tmp_path / "missing.csv")
    assert [(f.rel, f.size) for f in scan(raw)] == [("链接.csv", 4)]


def test_take_reads_or_hashes_and_tells_the_stat_after(tmp_path: Path) -> None:
    put(tmp_path, "a.csv", b"abc", T0)
    (f,) = scan(tmp_path)
    sha_abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # FIPS 180-2 example
    assert take(f, whole=True) == (3, T0)
    assert (f.data, f.file_hash) == (b"abc", sha_abc)
    f.data, f.file_hash = b"", ""
    assert take(f, whole=False) == (3, T0)
    assert (f.data, f.file_hash) == (b"", sha_abc)
    (tmp_path / "a.csv").unlink()
    assert take(f, whole=True) is None
