"""The BI snapshot: contents, no personal data, DuckDB 1.1 format, descriptions, atomic replacement.

Built from the real pipeline and the real dbt build (``published_city`` in conftest).
"""

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
import pyarrow.parquet as pq
import pytest

from dagster_project.core.pii import is_pii_column
from dagster_project.core.settings import Settings
from dagster_project.publish import snapshot as snap
from dagster_project.publish.snapshot import BUILD_TABLE, READABLE_BY_DUCKDB_11, PublishRefused, publish_snapshot, storage_version_number
from dagster_project.transform.dbt_project import mart_models, mart_tables
from tests.conftest import PEOPLE_2025


@pytest.fixture
def settings(city_copy: Settings) -> Settings:
    return city_copy


def _leftovers(settings: Settings) -> list[Path]:
    return [p for d in (settings.warehouse_dir, settings.parquet_dir) if d.exists() for p in d.iterdir() if ".tmp-" in p.name]


def _snapshot_files(settings: Settings) -> dict[str, bytes]:
    files = [settings.snapshot_path, *sorted(settings.parquet_dir.glob("*.parquet"))]
    return {p.name: p.read_bytes() for p in files}


def _counts(path: Path, schema: str | None = None) -> dict[str, int]:
    """Rows per mart, by the name BI sees: in the snapshot's ``schema``, or (None) in the working
    database, where ``x_approved`` is the approved build's ``approved_marts.x``."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            m.published_as: con.execute(f"SELECT count(*) FROM {f'{schema}.{m.published_as}' if schema else m.relation}").fetchone()[0]  # type: ignore[index]
            for m in mart_models()
        }
    finally:
        con.close()


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


def test_snapshot_holds_the_marts_only(settings: Settings) -> None:
    result = publish_snapshot(settings)
    expected = _counts(settings.warehouse_path)
    assert set(expected) == set(mart_tables()) >= {"per_student_funding", "award_entitlements", "schools", "schools_approved"}
    # the sample fills every mart, the approved ones too (everything was approved); only the
    # correction after the lock differs between the two sets (issue 10)
    assert all(expected.values()), expected
    assert expected["approval_differences"] == 1 and expected["per_student_funding_approved"] == expected["per_student_funding"]
    assert result["tables"] == expected and result["missing_tables"] == []
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{settings.snapshot_path}' AS bi (READ_ONLY)")
        tables = con.execute("SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = 'bi'").fetchall()
        # the default schema only: no staging, intermediate, audit, restricted (payout list); and which build (issue 19)
        assert sorted(tables) == sorted(("main", t) for t in [*mart_tables(), BUILD_TABLE])
        types = dict(
            con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = 'bi' AND table_name = 'per_student_funding'"
            ).fetchall()
        )
        assert types["shortfall_yuan"] == "DECIMAL(18,2)" and types["below_standard"] == "BOOLEAN"
        same = con.execute(
            f"SELECT count(*) FROM (SELECT * FROM bi.main.award_entitlements EXCEPT SELECT * FROM read_parquet('{settings.parquet_dir}/award_entitlements.parquet'))"
        ).fetchone()
        assert same == (0,)
        cols = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_catalog = 'bi'").fetchall()]
        assert "person_key" in cols and not [c for c in cols if is_pii_column(c)]
        # no name of the payout list anywhere in the snapshot
        for t in mart_tables():
            for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_catalog = 'bi' AND table_name = ? AND data_type = 'VARCHAR'",
                [t],
            ).fetchall():
                hits = con.execute(
                    f"SELECT count(*) FROM bi.main.{t} WHERE \"{c}\" IN ('张三', '李四', ?)", [PEOPLE_2025["li"][1]]
                ).fetchone()
                assert hits == (0,), (t, c)
        for t, n in expected.items():
            assert con.execute(f"SELECT count(*) FROM read_parquet('{settings.parquet_dir / (t + '.parquet')}')").fetchone() == (n,)
    finally:
        con.close()
    assert sorted(p.stem for p in settings.parquet_dir.glob("*.parquet")) == sorted(mart_tables())
    assert _leftovers(settings) == []
    assert not settings.snapshot_path.with_name("marts.duckdb.wal").exists()


def test_bi_user_queries_on_a_direct_connection(settings: Settings) -> None:
    """marts.md: both spellings work and SHOW TABLES lists the marts (issue 8.4)."""
    publish_snapshot(settings)
    con = duckdb.connect(str(settings.snapshot_path), read_only=True)
    try:
        n = con.execute("SELECT count(*) FROM marts.per_student_funding").fetchone()
        assert n is not None and n[0] > 0
        assert con.execute("SELECT count(*) FROM per_student_funding").fetchone() == n
        assert sorted(r[0] for r in con.execute("SHOW TABLES").fetchall()) == sorted([*mart_tables(), BUILD_TABLE])
    finally:
        con.close()


def test_descriptions_in_both_databases_and_parquet(settings: Settings) -> None:
    """Every contract table and column carries its dbt description (issue 8.5), on the real build."""
    publish_snapshot(settings)
    models = {m.published_as: m for m in mart_models()}
    latest = {m.name: m for m in mart_models() if m.published_as == m.name}
    for path, in_snapshot in ((settings.warehouse_path, False), (settings.snapshot_path, True)):
        con = duckdb.connect(str(path), read_only=True)
        try:
            for name, model in models.items():
                schema, table = ("main", name) if in_snapshot else (model.schema, model.name)
                (table_comment,) = con.execute(
                    "SELECT comment FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?", [schema, table]
                ).fetchone()  # type: ignore[misc]
                # dbt persists the yml text; the snapshot says of an approved mart that it is one
                want = model.description if in_snapshot else latest.get(model.name, model).description
                assert _norm(table_comment) == want != "", (path.name, name)
                if in_snapshot and name != model.name:
                    assert want.startswith("已审批数据") and want.endswith(latest[model.name].description), name
                got = dict(
                    con.execute(
                        "SELECT column_name, comment FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?", [schema, table]
                    ).fetchall()
                )
                assert set(got) == set(model.columns), (path.name, name)
                for col, doc in model.columns.items():
                    assert doc and _norm(got[col]) == doc, (path.name, name, col, got[col])
        finally:
            con.close()
    for name, model in models.items():
        meta = pq.read_schema(settings.parquet_dir / f"{name}.parquet").metadata
        assert meta[b"table"].decode() == name
        assert _norm(meta[b"description"].decode("utf-8")) == model.description
        columns = {k: _norm(v) for k, v in json.loads(meta[b"column_descriptions"].decode("utf-8")).items()}
        assert columns == model.columns
    shortfall = models["per_student_funding"].columns["shortfall_yuan"]
    assert shortfall.startswith("拨款缺口（元）shortfall")  # Chinese and English, as the yml has it


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

BI_CLIENT = textwrap.dedent(
    """
    import json, sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    shown = sorted(r[0] for r in con.execute("SHOW TABLES").fetchall())
    plain = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in shown}
    qualified = {t: con.execute(f"SELECT count(*) FROM marts.{t}").fetchone()[0] for t in shown}
    short = con.execute(
        "SELECT sum(shortfall_yuan)::VARCHAR, count(*) FILTER (WHERE below_standard) FROM per_student_funding"
    ).fetchone()
    comment = con.execute(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'per_student_funding' AND column_name = 'shortfall_yuan'"
    ).fetchone()[0]
    print(json.dumps({"version": duckdb.__version__, "shown": shown, "plain": plain, "qualified": qualified,
                      "shortfall": short[0], "below": short[1], "comment": comment}))
    """
)


def _bi_client(python: str, path: Path) -> dict[str, object]:
    out = subprocess.run([python, "-c", BI_CLIENT, str(path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _expected_bi(settings: Settings) -> dict[str, object]:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        short = con.execute(
            "SELECT sum(shortfall_yuan)::VARCHAR, count(*) FILTER (WHERE below_standard) FROM marts.per_student_funding"
        ).fetchone()
        comment = con.execute(
            "SELECT comment FROM duckdb_columns() WHERE schema_name = 'marts' AND table_name = 'per_student_funding' AND column_name = 'shortfall_yuan'"
        ).fetchone()
    finally:
        con.close()
    counts = {**_counts(settings.warehouse_path), BUILD_TABLE: 1}
    assert short is not None and comment is not None
    return {"shown": sorted(counts), "plain": counts, "qualified": counts, "shortfall": short[0], "below": short[1], "comment": comment[0]}


def test_snapshot_opens_in_this_duckdb_client(settings: Settings) -> None:
    publish_snapshot(settings)
    got = _bi_client(sys.executable, settings.snapshot_path)
    assert got.pop("version") == duckdb.__version__
    assert got == _expected_bi(settings)


@pytest.mark.skipif(not OLD_PYTHON, reason="set VOCWH_OLD_DUCKDB_PYTHON to a python with duckdb==1.1.x")
def test_snapshot_opens_in_duckdb_11_client(settings: Settings) -> None:
    publish_snapshot(settings)
    got = _bi_client(str(OLD_PYTHON), settings.snapshot_path)
    assert str(got.pop("version")).startswith("1.1.")
    assert got == _expected_bi(settings)


def test_refuses_personal_data_and_keeps_previous(settings: Settings) -> None:
    publish_snapshot(settings)
    before = _snapshot_files(settings)
    con = duckdb.connect(str(settings.warehouse_path))
    con.execute("ALTER TABLE marts.award_entitlements ADD COLUMN person_name VARCHAR")
    con.close()
    with pytest.raises(PublishRefused, match=r"award_entitlements\.person_name"):
        publish_snapshot(settings)
    assert _snapshot_files(settings) == before
    assert _leftovers(settings) == []


def test_refuses_id_values_under_an_innocent_name(settings: Settings) -> None:
    con = duckdb.connect(str(settings.warehouse_path))
    con.execute("ALTER TABLE marts.award_entitlements ADD COLUMN note VARCHAR")
    con.execute("UPDATE marts.award_entitlements SET note = '220202********123X' WHERE prize = 'third'")
    con.execute("ALTER TABLE marts.schools ADD COLUMN contact VARCHAR")
    con.execute("UPDATE marts.schools SET contact = ? WHERE year = 2025", [PEOPLE_2025["li"][1]])
    con.close()
    with pytest.raises(PublishRefused, match=r"award_entitlements\.note(.|\n)*schools\.contact"):
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
        real_copy(con, tables[:3], pq_dir, out, *rest)  # type: ignore[arg-type]
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
        f"SELECT {i} AS i, min(build_id) AS lo, max(build_id) AS hi, count(*) AS n FROM {t}" for i, t in enumerate(tables)
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
        for schema in {m.schema for m in mart_models()}:
            con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            con.execute(f"CREATE SCHEMA {schema}")
        for i, m in enumerate(mart_models()):  # mart_tables() order: the reader's
            con.execute(
                f"CREATE TABLE {m.relation} AS SELECT {build}::INTEGER AS build_id, range AS n FROM range({2000 * build + 100 * i})"
            )
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
        args = [sys.executable, "-c", READER, str(settings.snapshot_path), mode, str(stop), str(log), ",".join(mart_tables())]
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
