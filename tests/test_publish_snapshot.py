"""The BI snapshot: contents, no personal data, DuckDB 1.1 format, atomic replacement."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from dagster_project.publish import snapshot as snap
from dagster_project.publish.common import MART_TABLES
from dagster_project.publish.scratch import MARTS, build_scratch_warehouse
from dagster_project.publish.snapshot import READABLE_BY_DUCKDB_11, PublishRefused, publish_snapshot, storage_version_number
from dagster_project.shared.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    s = build_scratch_warehouse(tmp_path / "wh")
    con = duckdb.connect(str(s.warehouse_path))
    # descriptions as dbt's persist_docs would leave them
    con.execute("COMMENT ON TABLE marts.per_student_funding IS '生均拨款 per-student funding'")
    con.execute("COMMENT ON COLUMN marts.per_student_funding.shortfall_yuan IS '缺口（元） shortfall'")
    con.close()
    return s


def _leftovers(settings: Settings) -> list[Path]:
    return [p for d in (settings.warehouse_dir, settings.parquet_dir) if d.exists() for p in d.iterdir() if ".tmp-" in p.name]


def _snapshot_files(settings: Settings) -> dict[str, bytes]:
    files = [settings.snapshot_path, *sorted(settings.parquet_dir.glob("*.parquet"))]
    return {p.name: p.read_bytes() for p in files}


def test_snapshot_holds_the_marts_only(settings: Settings) -> None:
    result = publish_snapshot(settings)
    assert result["tables"] == {t: len(MARTS[t]) for t in MART_TABLES}
    assert result["missing_tables"] == []
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{settings.snapshot_path}' AS bi (READ_ONLY)")
        tables = con.execute("SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = 'bi'").fetchall()
        assert sorted(tables) == sorted(("marts", t) for t in MART_TABLES)
        # types survive: money stays DECIMAL(18,2), flags BOOLEAN
        types = dict(
            con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = 'bi' AND table_name = 'per_student_funding'"
            ).fetchall()
        )
        assert types["shortfall_yuan"] == "DECIMAL(18,2)"
        assert types["below_standard"] == "BOOLEAN"
        shortfall = con.execute("SELECT shortfall_yuan FROM bi.marts.per_student_funding WHERE school_code = '3122020101'").fetchone()
        assert shortfall is not None and str(shortfall[0]) == "300000.00"
        comments = con.execute(
            "SELECT t.comment, c.comment FROM duckdb_tables() t JOIN duckdb_columns() c USING (database_name, schema_name, table_name)"
            " WHERE database_name = 'bi' AND table_name = 'per_student_funding' AND column_name = 'shortfall_yuan'"
        ).fetchone()
        assert comments == ("生均拨款 per-student funding", "缺口（元） shortfall")
        # no column that could hold a name or an ID number
        cols = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_catalog = 'bi'").fetchall()]
        assert not [c for c in cols if re.search(r"name$|id_number|id_masked|masked", c) and c != "school_name"]
        for t in MART_TABLES:
            n = con.execute(f"SELECT count(*) FROM read_parquet('{settings.parquet_dir / (t + '.parquet')}')").fetchone()
            assert n is not None and n[0] == len(MARTS[t])
    finally:
        con.close()
    assert _leftovers(settings) == []
    assert not settings.snapshot_path.with_name("marts.duckdb.wal").exists()


def test_snapshot_storage_version_is_readable_by_duckdb_11(settings: Settings) -> None:
    """Always runs: the header's format number is 64 and DuckDB reports the file readable from v1.0."""
    publish_snapshot(settings)
    assert storage_version_number(settings.snapshot_path) == READABLE_BY_DUCKDB_11 == 64
    # a file written with this DuckDB's default format would not be: the setting matters
    default = settings.warehouse_dir / "default.duckdb"
    duckdb.connect(str(default)).close()
    assert storage_version_number(default) != READABLE_BY_DUCKDB_11
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{settings.snapshot_path}' AS bi (READ_ONLY)")
        tags = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = 'bi'").fetchone()
    finally:
        con.close()
    assert tags is not None
    m = re.fullmatch(r"v(\d+)\.(\d+)\.(\d+)\+?", str(dict(tags[0]).get("storage_version", "")))
    assert m, tags
    assert (int(m.group(1)), int(m.group(2))) <= (1, 1)


OLD_PYTHON = os.environ.get("VOCWH_OLD_DUCKDB_PYTHON")


@pytest.mark.skipif(not OLD_PYTHON, reason="set VOCWH_OLD_DUCKDB_PYTHON to a python with duckdb==1.1.x")
def test_snapshot_opens_in_duckdb_11_client(settings: Settings) -> None:
    publish_snapshot(settings)
    script = textwrap.dedent(
        """
        import json, sys, duckdb
        con = duckdb.connect(sys.argv[1], read_only=True)
        tables = con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'").fetchall()
        counts = {t: con.execute(f"SELECT count(*) FROM marts.marts.{t}").fetchone()[0] for (t,) in tables}
        short = con.execute("SELECT shortfall_yuan, below_standard FROM marts.marts.per_student_funding WHERE school_code = '3122020101'").fetchone()
        comment = con.execute(
            "SELECT comment FROM duckdb_columns() WHERE table_name = 'per_student_funding' AND column_name = 'shortfall_yuan'"
        ).fetchone()[0]
        print(json.dumps({"version": duckdb.__version__, "counts": counts, "shortfall": str(short[0]), "below": short[1], "comment": comment}))
        """
    )
    out = subprocess.run([str(OLD_PYTHON), "-c", script, str(settings.snapshot_path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["version"].startswith("1.1.")
    assert got["counts"] == {t: len(MARTS[t]) for t in MART_TABLES}
    assert got["shortfall"] == "300000.00" and got["below"] is True
    assert got["comment"] == "缺口（元） shortfall"


def test_refuses_personal_data_and_keeps_previous(settings: Settings) -> None:
    publish_snapshot(settings)
    before = _snapshot_files(settings)
    con = duckdb.connect(str(settings.warehouse_path))
    con.execute("CREATE TABLE marts.award_payout AS SELECT person_key, person_name, id_masked FROM submissions.competition_awards")
    con.close()
    with pytest.raises(PublishRefused, match="person_name"):
        publish_snapshot(settings)
    assert _snapshot_files(settings) == before
    assert _leftovers(settings) == []


def test_refuses_id_values_under_an_innocent_name(settings: Settings) -> None:
    con = duckdb.connect(str(settings.warehouse_path))
    con.execute("ALTER TABLE marts.award_entitlements ADD COLUMN note VARCHAR")
    con.execute("UPDATE marts.award_entitlements SET note = '220202********123X' WHERE prize = 'third'")
    con.close()
    with pytest.raises(PublishRefused, match=r"award_entitlements\.note"):
        publish_snapshot(settings)
    assert not settings.snapshot_path.exists()
    assert _leftovers(settings) == []


def test_failed_build_leaves_previous_snapshot_intact(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    publish_snapshot(settings)
    before = _snapshot_files(settings)
    con = duckdb.connect(str(settings.warehouse_path))
    con.execute("DELETE FROM marts.per_student_funding WHERE year = 2023")
    con.close()

    def boom(*args: object, **kwargs: object) -> None:
        # the new snapshot and every Parquet file are already written aside at this point
        assert _leftovers(settings), "expected temp files while building"
        raise RuntimeError("disk full")

    monkeypatch.setattr(snap, "_verify", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        publish_snapshot(settings)
    assert _snapshot_files(settings) == before
    assert _leftovers(settings) == []


def test_failure_while_writing_parquet_cleans_up(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    publish_snapshot(settings)
    before = _snapshot_files(settings)
    real_copy = snap._write_parquet

    def half(con: duckdb.DuckDBPyConnection, tables: list[str], pq_dir: Path, out: dict[str, Path], *rest: object) -> None:
        real_copy(con, tables[:3], pq_dir, out)
        raise OSError("no space left on device")

    monkeypatch.setattr(snap, "_write_parquet", half)
    with pytest.raises(OSError, match="no space"):
        publish_snapshot(settings)
    assert _snapshot_files(settings) == before
    assert _leftovers(settings) == []


def test_orphans_of_a_killed_publisher_are_swept(settings: Settings) -> None:
    settings.parquet_dir.mkdir(parents=True)
    orphans = [settings.warehouse_dir / "marts.duckdb.tmp-999999999", settings.parquet_dir / "training_volume.parquet.tmp-999999999"]
    for p in orphans:
        p.write_bytes(b"half a file")
    publish_snapshot(settings)
    assert not any(p.exists() for p in orphans)


# ---- a reader across publishes ------------------------------------------------------------------

READER = textwrap.dedent(
    """
    import json, sys, time, duckdb
    path, mode, stop, log, tables = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5].split(",")
    sql = " UNION ALL ".join(
        f"SELECT {i} AS i, min(build_id) AS lo, max(build_id) AS hi, count(*) AS n FROM marts.marts.{t}" for i, t in enumerate(tables)
    )
    def rows(b, i):
        return 2000 * b + 100 * i
    seen, bad, reads = set(), [], 0
    con = duckdb.connect(path, read_only=True) if mode == "persistent" else None
    with open(log, "a") as out:
        while True:
            c = con or duckdb.connect(path, read_only=True)
            try:
                res = c.execute(sql).fetchall()
            finally:
                if con is None:
                    c.close()
            builds = {lo for _, lo, hi, n in res} | {hi for _, lo, hi, n in res}
            b = min(builds)
            if len(builds) != 1 or len(res) != len(tables) or any(n != rows(b, i) for i, lo, hi, n in res):
                bad.append(res)
            seen.add(b)
            reads += 1
            out.write(f"{b}\\n")
            out.flush()
            import os
            if os.path.exists(stop):
                break
    print(json.dumps({"seen": sorted(seen), "bad": bad[:5], "reads": reads}))
    """
)


def _write_build(settings: Settings, build: int) -> None:
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        con.execute("DROP SCHEMA IF EXISTS marts CASCADE")
        con.execute("CREATE SCHEMA marts")
        for i, t in enumerate(MART_TABLES):
            con.execute(f"CREATE TABLE marts.{t} AS SELECT {build}::INTEGER AS build_id, range AS n FROM range({2000 * build + 100 * i})")
    finally:
        con.close()


def _wait_for(log: Path, build: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and str(build) in log.read_text().split():
            return
        time.sleep(0.05)
    raise AssertionError(f"reader never saw build {build}")


def test_reader_never_sees_a_mix_and_never_blocks_publishing(tmp_path: Path) -> None:
    settings = Settings(raw_dir=tmp_path / "raw", warehouse_dir=tmp_path / "wh", pii_key="k")
    settings.warehouse_dir.mkdir()
    _write_build(settings, 1)
    publish_snapshot(settings)

    stop = tmp_path / "stop"
    procs = {}
    for mode in ("reconnect", "persistent"):
        log = tmp_path / f"{mode}.log"
        args = [sys.executable, "-c", READER, str(settings.snapshot_path), mode, str(stop), str(log), ",".join(MART_TABLES)]
        procs[mode] = (subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), log)
    try:
        for _, log in procs.values():
            _wait_for(log, 1)
        for build in (2, 3):
            _write_build(settings, build)
            publish_snapshot(settings)  # must not fail with readers holding the file open
            _wait_for(procs["reconnect"][1], build)
    finally:
        stop.touch()
        results = {}
        for mode, (p, _) in procs.items():
            out, err = p.communicate(timeout=60)
            assert p.returncode == 0, err
            results[mode] = json.loads(out)

    for mode, r in results.items():
        assert r["bad"] == [], f"{mode} reader saw a mix of builds: {r['bad']}"
        assert r["reads"] > 3
    assert results["reconnect"]["seen"] == [1, 2, 3]
    assert results["persistent"]["seen"] == [1]  # an open connection keeps reading the build it opened
    assert _leftovers(settings) == []
