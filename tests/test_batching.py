"""The same submissions give the same marts however they are batched: all in one run, in
small transactions within a run, or over many runs in the order they were received."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dagster_project.ingest.pipeline import run_ingest, scan
from dagster_project.shared.dbt_project import mart_tables
from dagster_project.shared.settings import PROJECT_ROOT, Settings
from tests.test_dbt_marts import run_dbt

SUBMISSION_ID = re.compile(r"\b[0-9a-f]{20}\b")


def _marts(warehouse_dir: Path, work: Path) -> dict[str, pd.DataFrame]:
    work.mkdir(parents=True, exist_ok=True)
    proc = run_dbt(["build", "--exclude-resource-type", "unit_test"], warehouse_dir, work)
    assert proc.returncode == 0, proc.stdout[-3000:]
    con = duckdb.connect(str(warehouse_dir / "warehouse.duckdb"), read_only=True)
    try:
        marts = {t: con.execute(f"SELECT * FROM marts.{t} ORDER BY ALL").df() for t in mart_tables()}
    finally:
        con.close()
    # Text that points at the counted award quotes its submission id, which names the run
    # that stored it: lineage, not a figure. Everything else must match exactly.
    for df in marts.values():
        for col in df.select_dtypes(include="object"):
            df[col] = df[col].map(lambda v: SUBMISSION_ID.sub("<submission>", v) if isinstance(v, str) else v)
    return marts


def _statuses(warehouse_dir: Path) -> pd.DataFrame:
    """Final status per sheet: every retry of a sheet ends where the one-shot run ends."""
    con = duckdb.connect(str(warehouse_dir / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(
            """
            SELECT source_file, coalesce(sheet, '') AS sheet, arg_max(status, receipt_seq) AS status
            FROM audit.submissions GROUP BY ALL ORDER BY ALL
            """
        ).df()
    finally:
        con.close()


@pytest.mark.e2e
def test_marts_do_not_depend_on_batching(tmp_path: Path) -> None:
    raw = PROJECT_ROOT / "raw"
    files = scan(raw)  # receipt order: mtime, then path
    key = "batching-test-key"

    at_once = Settings.from_env(raw_dir=raw, warehouse_dir=tmp_path / "at_once", pii_key=key)
    run_ingest(at_once)

    # Seven files per transaction and validation pass: chunk borders fall inside a school's
    # files and between a registry and the sheets it vouches for.
    small_chunks = Settings.from_env(raw_dir=raw, warehouse_dir=tmp_path / "chunks", pii_key=key)
    run_ingest(small_chunks, chunk_files=7)

    # Many runs: files land in an empty folder in receipt order, 25 at a time, one run each.
    # Sheets that need the registry may arrive before it and are retried when it does.
    landing = tmp_path / "landing"
    landing.mkdir()
    many_runs = Settings.from_env(raw_dir=landing, warehouse_dir=tmp_path / "many_runs", pii_key=key)
    for start in range(0, len(files), 25):
        for f in files[start : start + 25]:
            target = landing / f.rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f.path, target)
            os.utime(target, ns=(f.mtime_ns, f.mtime_ns))
        run_ingest(many_runs)

    expected_status = _statuses(at_once.warehouse_dir)
    for other in (small_chunks, many_runs):
        pd.testing.assert_frame_equal(_statuses(other.warehouse_dir), expected_status)

    expected = _marts(at_once.warehouse_dir, tmp_path / "w1")
    assert all(len(df) for df in expected.values())
    for name, other in (("small_chunks", small_chunks), ("many_runs", many_runs)):
        got = _marts(other.warehouse_dir, tmp_path / f"w_{name}")
        for table in mart_tables():
            pd.testing.assert_frame_equal(got[table], expected[table], obj=f"{name}: marts.{table}")
