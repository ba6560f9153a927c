"""Benchmark: the whole pipeline at a named scale, three ways.

1. full     — generated submissions, empty warehouse;
2. unchanged — the same folder again;
3. corrected — one school's enrollment resubmitted with different figures.

Each run is the real command (``dagster asset materialize -m dagster_project.definitions
--select '*'``) in a fresh process, as the scheduler would start it. Reported: wall time,
peak memory of the whole process tree (dagster and the dbt it starts, sampled every
0.1 s), and rows ingested per second. Figures belong in the README, not in tests: the
machines are shared and noisy.

    python -m tools.benchmark --scale province [--workdir DIR] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import psutil

from dagster_project.core.templates import TEMPLATES
from tools.sample.generator import generate


@dataclass
class Measurement:
    run: str
    seconds: float
    peak_rss_mib: float
    rows_ingested: int
    rows_per_second: float
    sheets_processed: int


def _watch_peak(proc: psutil.Process, stop: threading.Event, out: list[float]) -> None:
    peak = 0
    while not stop.is_set():
        try:
            tree = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        stop.wait(0.1)
    out.append(peak / 2**20)


def _run_pipeline(env: dict[str, str], log: Path) -> tuple[float, float]:
    dagster = Path(sys.executable).parent / "dagster"
    cmd = [str(dagster), "asset", "materialize", "-m", "dagster_project.definitions", "--select", "*"]
    start = time.perf_counter()
    with log.open("w") as f:
        proc = subprocess.Popen(cmd, env=env, stdout=f, stderr=subprocess.STDOUT)
        stop, peak = threading.Event(), []
        watcher = threading.Thread(target=_watch_peak, args=(psutil.Process(proc.pid), stop, peak))
        watcher.start()
        code = proc.wait()
        stop.set()
        watcher.join()
    seconds = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"pipeline failed (exit {code}); see {log}")
    return seconds, peak[0]


def _ingested(warehouse: Path, since_seq: int) -> tuple[int, int, int]:
    """(rows of sheets processed after receipt ``since_seq``, sheets, last receipt number)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows, sheets = con.execute(
            "SELECT coalesce(sum(rows), 0), count(*) FROM audit.submissions WHERE receipt_seq > ?", [since_seq]
        ).fetchone()
        last = con.execute("SELECT coalesce(max(receipt_seq), 0) FROM audit.submissions").fetchone()[0]
        return int(rows), int(sheets), int(last)
    finally:
        con.close()


def write_correction(raw: Path, warehouse: Path) -> Path:
    """Resubmit one loaded enrollment of the latest year with one more student in every row:
    a real correction, of the kind schools send."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        submission = con.execute(
            "SELECT submission_id FROM audit.submissions WHERE template = 'enrollment' AND status = 'loaded' ORDER BY year DESC, receipt_seq LIMIT 1"
        ).fetchone()[0]
        rows = con.execute(
            "SELECT year, school_code, program_category, program_category_name, students, exam_class_students, tuition_income_yuan "
            "FROM history.enrollment WHERE submission_id = ? ORDER BY row_number",
            [submission],
        ).fetchall()
    finally:
        con.close()
    template = TEMPLATES["enrollment"]
    path = raw / "benchmark-更正" / f"{rows[0][1]}_{rows[0][0]}年在校生（更正）.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow([c.zh for c in template.columns])
        for year, school, cat, name, students, exam, tuition in rows:
            w.writerow([year, school, cat, name or "", students + 1, "" if exam is None else exam, tuition])
    return path


def benchmark(scale: str, workdir: Path, seed: int = 2024) -> list[Measurement]:
    raw, wh, home = workdir / "raw", workdir / "warehouse", workdir / "dagster_home"
    counties = workdir / "counties.csv"
    for d in (wh, home):
        shutil.rmtree(d, ignore_errors=True)
    home.mkdir(parents=True)
    shutil.rmtree(raw / "benchmark-更正", ignore_errors=True)
    if not raw.exists():
        t = time.perf_counter()
        generate(raw, scale=scale, seed=seed, counties_out=counties)
        print(f"generated {scale} data in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    env = {
        **os.environ,
        "VOCWH_RAW_DIR": str(raw),
        "VOCWH_WAREHOUSE_DIR": str(wh),
        "DAGSTER_HOME": str(home),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "VOCWH_QUIET_SECONDS": "0",  # the correction is written and ingested at once
    }
    if counties.exists():
        env["VOCWH_COUNTIES_FILE"] = str(counties)
    results: list[Measurement] = []
    seq = 0
    for name in ("full", "unchanged", "corrected"):
        if name == "corrected":
            write_correction(raw, wh / "warehouse.duckdb")
        seconds, peak = _run_pipeline(env, workdir / f"{name}.log")
        rows, sheets, seq = _ingested(wh / "warehouse.duckdb", seq)
        results.append(Measurement(name, round(seconds, 1), round(peak), rows, round(rows / seconds), sheets))
        print(json.dumps(asdict(results[-1])), file=sys.stderr)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=("city", "province", "national"), default="province")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--workdir", type=Path, help="keeps generated data between benchmarks (default: a temporary folder)")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix=f"vocwh-bench-{args.scale}-"))
    results = benchmark(args.scale, workdir, args.seed)
    print(f"\n{args.scale} scale ({os.cpu_count()} cores), workdir {workdir}")
    print("| run | wall time (s) | peak memory (MiB) | rows ingested | rows/s | sheets |")
    print("|---|---|---|---|---|---|")
    for m in results:
        print(f"| {m.run} | {m.seconds} | {m.peak_rss_mib:.0f} | {m.rows_ingested} | {m.rows_per_second} | {m.sheets_processed} |")
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
