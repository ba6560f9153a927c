"""Benchmark: the whole pipeline at a named scale, three ways.

1. full      — generated submissions, empty warehouse;
2. unchanged — the same folder again;
3. corrected — one school's enrollment resubmitted with different figures.

Each run is the real command (``dagster asset materialize -m dagster_project.definitions
--select '*'``) in a fresh process, as the scheduler would start it. Reported: wall time,
peak memory of the whole process tree (dagster and the dbt it starts, sampled every
0.1 s), and rows ingested per second. Figures belong in the docs, not in tests: the
machines are shared and noisy.

Every figure is also shown as a multiple of the floor: reading and parsing every file of
the landing folder with the project's own reader and parser, plus one DuckDB bulk load of
the parsed rows, in this process. That is the work no pipeline can skip; the rest is
overhead worth looking at.

``--baseline REV`` runs the same scale on a ``git worktree`` of REV as well, in the same
invocation, alternating the two (baseline, new, baseline, new...) so that the noise of a
shared machine hits both alike, and prints new / baseline with issue 17's targets. Both
sides use this virtualenv's packages; each runs its own code (cwd and PYTHONPATH are its
tree, checked before the first run).

    python -m tools.benchmark --scale province [--workdir DIR] [--baseline REV [--new REV] [--repeat N]]
                              [--phases] [--no-floor]

``--phases`` adds where each run's wall time went, from its Dagster event log: start-up
(imports, definitions, planning) until the first event, the run's creation (one planned
event per asset and asset check), each step, and the process's exit.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import psutil

from dagster_project.core.templates import TEMPLATES
from tools.sample.generator import generate

REPO = Path(__file__).resolve().parents[1]
RUNS = ("full", "unchanged", "corrected")
RUN_LABELS = {"full": "full", "unchanged": "unchanged", "corrected": "one corrected file"}
PEAK = "peak memory"

# Issue 17's targets, new / baseline, set for the province scale against 9a9e5e1. They are
# shown beside the figures, never asserted: timed tests on a shared machine only flake.
TARGETS: dict[str, float] = {"full": 0.5, "unchanged": 0.35, "corrected": 0.4, PEAK: 1.0}
TARGETS_SOURCE = "issue 17, province scale against --baseline 9a9e5e1"


@dataclass
class Measurement:
    run: str
    seconds: float
    peak_rss_mib: float
    rows_ingested: int
    rows_per_second: float
    sheets_processed: int
    # User + system time of the pipeline and every process it waited for (dbt): what a
    # busy machine does not inflate as much as it inflates wall time.
    cpu_seconds: float = 0.0
    # With --phases: where the wall time went, from the run's Dagster event log.
    phases: dict[str, float] = field(default_factory=dict)  # and "planned events (count)", an int
    # Steps Dagster skipped: a run that skipped publishing is fast for the wrong reason.
    skipped: list[str] = field(default_factory=list)


@dataclass
class Floor:
    """Parse every file plus one bulk load: the least any pipeline does with this folder.
    Reading (bytes to cells) and parsing (header recognition, typed values) are timed apart:
    the first is mostly calamine and the csv module, the second is the project's Python."""

    read_seconds: float
    parse_seconds: float
    load_seconds: float
    files: int
    sheets: int
    rows: int

    @property
    def seconds(self) -> float:
        return self.read_seconds + self.parse_seconds + self.load_seconds


@dataclass
class Side:
    """One code tree under test: where its code is, where its warehouse and Dagster home go."""

    label: str
    code_dir: Path
    workdir: Path
    seq: int = 0  # last receipt number seen, for counting what each run ingested
    results: dict[str, list[Measurement]] = field(default_factory=lambda: defaultdict(list))


# -- running the pipeline --------------------------------------------------------------


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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class PipelineRun:
    seconds: float
    peak_mib: float
    cpu_seconds: float
    started: float  # epoch seconds, to place the run's events
    ended: float


def _run_pipeline(env: dict[str, str], log: Path, cwd: Path | None = None) -> PipelineRun:
    dagster = Path(sys.executable).parent / "dagster"
    cmd = [str(dagster), "asset", "materialize", "-m", "dagster_project.definitions", "--select", "*"]
    cpu = _children_cpu()
    started = time.time()
    start = time.perf_counter()
    with log.open("w") as f:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=f, stderr=subprocess.STDOUT)
        stop, peak = threading.Event(), []
        watcher = threading.Thread(target=_watch_peak, args=(psutil.Process(proc.pid), stop, peak))
        watcher.start()
        code = proc.wait()
        stop.set()
        watcher.join()
    seconds = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"pipeline failed (exit {code}); see {log}")
    return PipelineRun(seconds, peak[0], _children_cpu() - cpu, started, time.time())


PLANNED = ("ASSET_MATERIALIZATION_PLANNED", "ASSET_CHECK_EVALUATION_PLANNED")


@contextlib.contextmanager
def _env(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_phases(home: Path, run: PipelineRun) -> dict[str, float]:
    """Where the latest run in ``home`` spent its wall time, from its event log: the process
    start-up (imports, definitions, planning) until the first event, the run's creation (one
    planned event per asset and asset check), each step, and the process's exit."""
    import dagster as dg
    from dagster._core.instance.ref import InstanceRef

    # deploy/dagster.yaml names its storage folder by the environment variable DAGSTER_HOME
    with (
        _env(DAGSTER_HOME=str(home)),
        dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance,
    ):
        latest = instance.get_runs(limit=1)[0]
        events = [e for e in instance.all_logs(latest.run_id) if e.dagster_event is not None]
    kind = [e.dagster_event.event_type_value for e in events]  # type: ignore[union-attr]
    planned = [e.timestamp for e, k in zip(events, kind, strict=True) if k in PLANNED]
    run_start = next(e.timestamp for e, k in zip(events, kind, strict=True) if k == "PIPELINE_START")
    run_end = next(e.timestamp for e, k in zip(events, kind, strict=True) if k in ("PIPELINE_SUCCESS", "PIPELINE_FAILURE"))
    first = planned[0] if planned else run_start
    out: dict[str, float] = {"start-up": first - run.started, "run creation": run_start - first}
    steps: dict[str, list[float]] = {}
    for e, k in zip(events, kind, strict=True):
        if k in ("STEP_START", "STEP_SUCCESS", "STEP_FAILURE") and e.step_key:
            steps.setdefault(e.step_key, []).append(e.timestamp)
    for key, stamps in steps.items():
        out[f"step {key}"] = stamps[-1] - stamps[0]
    out["exit"] = run.ended - run_end
    out["other"] = run.seconds - sum(out.values())
    return {**{k: round(v, 2) for k, v in out.items()}, "planned events (count)": len(planned)}


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


def _prepare_data(scale: str, workdir: Path, seed: int) -> tuple[Path, Path]:
    raw, counties = workdir / "raw", workdir / "counties.csv"
    shutil.rmtree(raw / "benchmark-更正", ignore_errors=True)
    if not raw.exists():
        t = time.perf_counter()
        generate(raw, scale=scale, seed=seed, counties_out=counties)
        print(f"generated {scale} data in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return raw, counties


def _new_home(home: Path, code_dir: Path) -> None:
    """A fresh Dagster home with the code tree's own ``deploy/dagster.yaml``, as the docs tell a
    scheduler to set it up: Dagster's bookkeeping is part of what each side costs."""
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    config = code_dir / "deploy" / "dagster.yaml"
    if config.exists():
        shutil.copy2(config, home / "dagster.yaml")


def _pipeline_env(raw: Path, counties: Path, wh: Path, home: Path, code_dir: Path | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "VOCWH_RAW_DIR": str(raw),
        "VOCWH_WAREHOUSE_DIR": str(wh),
        "DAGSTER_HOME": str(home),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "VOCWH_QUIET_SECONDS": "0",  # the correction is written and ingested at once
        # The machine's dbt parse cache (dbt_project.parse_cache_dir) of this side alone,
        # emptied with the warehouse: the full run parses as a city's first run does.
        "XDG_CACHE_HOME": str(wh.parent / "cache"),
    }
    if counties.exists():
        env["VOCWH_COUNTIES_FILE"] = str(counties)
    if code_dir is not None:
        # First on sys.path, ahead of the editable install of the checkout: this tree's
        # dagster_project (and, through its settings, its dbt project) is what runs.
        env["PYTHONPATH"] = str(code_dir)
    return env


_SKIPPED = re.compile(r'STEP_SKIPPED - Skipped execution of step "([^"]+)"')


def _measurement(name: str, run: PipelineRun, rows: int, sheets: int, home: Path | None, log: Path) -> Measurement:
    m = Measurement(name, round(run.seconds, 1), round(run.peak_mib), rows, round(rows / run.seconds), sheets, round(run.cpu_seconds, 1))
    m.skipped = _SKIPPED.findall(log.read_text(encoding="utf-8", errors="replace"))
    if m.skipped:
        print(f"warning: the {name} run skipped steps {', '.join(m.skipped)}: see {log}", file=sys.stderr)
    if home is not None:
        m.phases = run_phases(home, run)
    return m


def benchmark(scale: str, workdir: Path, seed: int = 2024, phases: bool = False) -> list[Measurement]:
    """The three runs on the code this process imports (no baseline)."""
    raw, counties = _prepare_data(scale, workdir, seed)
    wh, home = workdir / "warehouse", workdir / "dagster_home"
    shutil.rmtree(wh, ignore_errors=True)
    shutil.rmtree(workdir / "cache", ignore_errors=True)
    _new_home(home, Path(__file__).resolve().parent.parent)
    env = _pipeline_env(raw, counties, wh, home)
    results: list[Measurement] = []
    seq = 0
    for name in RUNS:
        if name == "corrected":
            write_correction(raw, wh / "warehouse.duckdb")
        log = workdir / f"{name}.log"
        run = _run_pipeline(env, log)
        rows, sheets, seq = _ingested(wh / "warehouse.duckdb", seq)
        results.append(_measurement(name, run, rows, sheets, home if phases else None, log))
        print(json.dumps(asdict(results[-1])), file=sys.stderr)
    return results


# -- side by side ----------------------------------------------------------------------


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], check=True, capture_output=True, text=True).stdout.strip()


@contextlib.contextmanager
def worktree(rev: str, parent: Path) -> Iterator[tuple[Path, str]]:
    """A detached worktree of ``rev`` under ``parent``, removed afterwards; yields (dir, sha)."""
    sha = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
    path = Path(tempfile.mkdtemp(prefix=f"tree-{sha[:7]}-", dir=parent))
    path.rmdir()
    _git("worktree", "add", "--detach", "--quiet", str(path), sha)
    try:
        yield path, sha
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(path)], check=False, capture_output=True)
        shutil.rmtree(path, ignore_errors=True)
        subprocess.run(["git", "-C", str(REPO), "worktree", "prune"], check=False, capture_output=True)


def check_code(side: Side, env: dict[str, str]) -> Path:
    """Import ``dagster_project`` exactly as the pipeline process will (same interpreter,
    environment and working folder) and refuse to measure if it comes from another tree."""
    out = subprocess.run(
        [sys.executable, "-c", "import dagster_project; print(dagster_project.__file__)"],
        env=env,
        cwd=side.code_dir,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    found = Path(out).resolve()
    if not found.is_relative_to(side.code_dir.resolve()):
        raise SystemExit(f"{side.label}: dagster_project imports from {found}, not from {side.code_dir}")
    print(f"{side.label}: dagster_project from {found}", file=sys.stderr)
    return found


def _measure(side: Side, name: str, raw: Path, counties: Path, round_no: int, phases: bool = False) -> Measurement:
    wh, home = side.workdir / "warehouse", side.workdir / "dagster_home"
    env = _pipeline_env(raw, counties, wh, home, side.code_dir)
    log = side.workdir / f"{name}-{round_no}.log"
    run = _run_pipeline(env, log, cwd=side.code_dir)
    try:
        rows, sheets, side.seq = _ingested(wh / "warehouse.duckdb", side.seq)
    except duckdb.Error as exc:  # an older or newer audit schema: the times still count
        print(f"{side.label}: cannot count ingested rows ({exc})", file=sys.stderr)
        rows = sheets = 0
    m = _measurement(name, run, rows, sheets, home if phases else None, log)
    side.results[name].append(m)
    print(json.dumps({"side": side.label, "round": round_no, **asdict(m)}), file=sys.stderr)
    return m


def side_by_side(sides: Sequence[Side], raw: Path, counties: Path, repeat: int = 1, phases: bool = False) -> None:
    """Each round: fresh warehouses, then full, unchanged, corrected, each run on every side
    in turn. The side that goes first alternates from round to round."""
    for round_no in range(1, repeat + 1):
        order = list(sides) if round_no % 2 else list(reversed(sides))
        shutil.rmtree(raw / "benchmark-更正", ignore_errors=True)
        for side in sides:
            side.seq = 0
            shutil.rmtree(side.workdir / "warehouse", ignore_errors=True)
            shutil.rmtree(side.workdir / "cache", ignore_errors=True)
            _new_home(side.workdir / "dagster_home", side.code_dir)
        for name in RUNS:
            if name == "corrected":
                _write_correction_from(order, raw)
            for side in order:
                _measure(side, name, raw, counties, round_no, phases)


def _write_correction_from(sides: Sequence[Side], raw: Path) -> None:
    """The same correction file for both sides (the landing folder is shared), taken from the
    first warehouse whose audit schema this tool reads."""
    for side in sides:
        try:
            write_correction(raw, side.workdir / "warehouse" / "warehouse.duckdb")
            return
        except duckdb.Error as exc:
            print(f"{side.label}: cannot read a loaded enrollment ({exc})", file=sys.stderr)
    raise SystemExit("no warehouse to take the corrected enrollment from")


# -- the floor -------------------------------------------------------------------------


def measure_floor(raw: Path, scratch: Path) -> Floor:
    """Read, recognise and parse every submission file under ``raw`` with the project's own
    code, then store every parsed row in one transaction, one table per template."""
    import pandas as pd

    from dagster_project.core.values import is_blank
    from dagster_project.ingest.parse import extract, recognise
    from dagster_project.ingest.reader import SUFFIXES, Unreadable, read_sheets

    paths = sorted(p for p in raw.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    columns: dict[str, dict[str, list[object]]] = {}
    sheets = rows = 0
    read = parse = 0.0
    for path in paths:
        t = time.perf_counter()
        try:
            grids = read_sheets(path)
        except Unreadable:
            grids = []
        read += time.perf_counter() - t
        t = time.perf_counter()
        for sheet in grids:
            if not any(not is_blank(c) for row in sheet.rows for c in row):
                continue
            recognised = recognise(sheet.rows)
            if recognised is None:
                continue
            parsed = extract(sheet.rows, recognised)
            keys = parsed.template.keys
            data = columns.setdefault(parsed.template.key, {k: [] for k in keys})
            for r in parsed.rows:
                for k in keys:
                    v = r.typed.get(k)
                    data[k].append(str(v) if isinstance(v, Decimal) else v)
            sheets += 1
            rows += len(parsed.rows)
        parse += time.perf_counter() - t
    t1 = time.perf_counter()
    db = scratch / "floor.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    try:
        con.execute("BEGIN TRANSACTION")
        for key, data in columns.items():
            frame = pd.DataFrame(data)
            con.register("frame", frame)
            con.execute(f'CREATE TABLE "{key}" AS SELECT * FROM frame')
            con.unregister("frame")
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    load = time.perf_counter() - t1
    db.unlink(missing_ok=True)
    return Floor(read, parse, load, len(paths), sheets, rows)


# -- the report ------------------------------------------------------------------------


def ratio(new: float, base: float) -> float:
    return new / base if base else float("inf")


def fmt_ratio(r: float) -> str:
    return f"{r:.2f}×"


def fmt_multiple(seconds: float, floor: float) -> str:
    """How many floors a figure is: a whole number from 10 up, one decimal below."""
    m = seconds / floor if floor else float("inf")
    return f"{m:.0f}×" if m >= 10 else f"{m:.1f}×"


def median_seconds(ms: Sequence[Measurement]) -> float:
    return statistics.median(m.seconds for m in ms)


def median_cpu(ms: Sequence[Measurement]) -> float:
    return statistics.median(m.cpu_seconds for m in ms)


def peak_mib(results: dict[str, list[Measurement]]) -> float:
    """The highest peak of any run: what the machine must have."""
    return max(m.peak_rss_mib for ms in results.values() for m in ms)


COMPARISON_HEADER = ("run", "{base}", "{new}", "new / baseline", "target", "met", "CPU new / baseline", "baseline ÷ floor", "new ÷ floor")


def _met(r: float, target: float | None) -> str:
    return "" if target is None else ("yes" if r <= target else "no")


def comparison_rows(
    base: dict[str, list[Measurement]], new: dict[str, list[Measurement]], floor: float | None, targets: dict[str, float] = TARGETS
) -> list[list[str]]:
    """Rows of the side-by-side table (``COMPARISON_HEADER``): wall time of each side (median
    of the rounds), new / baseline against the target, the same ratio in CPU time (less
    disturbed by other work on the machine), and both sides as multiples of the floor."""
    out = []
    for name in RUNS:
        b, n = median_seconds(base[name]), median_seconds(new[name])
        r = ratio(n, b)
        target = targets.get(name)
        b_cpu, n_cpu = median_cpu(base[name]), median_cpu(new[name])
        skipped = any(m.skipped for m in [*base[name], *new[name]])
        out.append(
            [
                RUN_LABELS[name],
                f"{b:.1f} s",
                f"{n:.1f} s",
                fmt_ratio(r),
                "" if target is None else f"≤ {target:g}×",
                "n/a: steps skipped" if skipped and target is not None else _met(r, target),
                fmt_ratio(ratio(n_cpu, b_cpu)) if b_cpu and n_cpu else "",
                fmt_multiple(b, floor) if floor else "",
                fmt_multiple(n, floor) if floor else "",
            ]
        )
    b, n = peak_mib(base), peak_mib(new)
    r = ratio(n, b)
    target = targets.get(PEAK)
    shown = "" if target is None else ("not above the baseline" if target == 1.0 else f"≤ {target:g}×")
    # The difference in MiB beside the ratio: 1.00× may hide a few MiB over the target.
    shift = f" ({n - b:+,.0f} MiB)"
    out.append([f"{PEAK} (process tree)", f"{b:,.0f} MiB", f"{n:,.0f} MiB", fmt_ratio(r) + shift, shown, _met(r, target), "", "", ""])
    return out


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def detail_rows(sides: Sequence[Side]) -> list[list[str]]:
    """Every run of every side: all rounds' seconds, peak memory and what was ingested."""
    out = []
    for name in RUNS:
        for side in sides:
            ms = side.results[name]
            out.append(
                [
                    RUN_LABELS[name],
                    side.label,
                    " / ".join(f"{m.seconds:.1f}" for m in ms),
                    " / ".join(f"{m.cpu_seconds:.1f}" for m in ms),
                    " / ".join(f"{m.peak_rss_mib:,.0f}" for m in ms),
                    f"{ms[-1].rows_ingested:,}",
                    f"{ms[-1].sheets_processed:,}",
                ]
            )
    return out


def skipped_note(runs: Sequence[tuple[str, Measurement]]) -> str:
    """A warning under the table for each run that skipped steps (its time is not comparable);
    ``runs`` are (who ran it, or "", measurement)."""
    out = ""
    for who, m in runs:
        if m.skipped:
            out += f"\n**Warning:** {who + ', ' if who else ''}{RUN_LABELS.get(m.run, m.run)} run skipped steps: {', '.join(m.skipped)}.\n"
    return out


def _phase_cell(v: float | None) -> str:
    return "" if v is None else str(v) if isinstance(v, int) else f"{v:.2f}"


def phase_table(columns: Sequence[tuple[str, dict[str, float]]]) -> tuple[list[str], list[list[str]]]:
    """(header, rows) with one column per run and one row per phase, in the order met."""
    names: list[str] = []
    for _, phases in columns:
        names += [n for n in phases if n not in names]
    rows = [[n, *(_phase_cell(phases.get(n)) for _, phases in columns)] for n in names]
    return ["phase", *(label for label, _ in columns)], rows


def floor_line(floor: Floor) -> str:
    return (
        f"Floor (every file of the landing folder read and parsed by `ingest.reader`/`ingest.parse`, plus one DuckDB "
        f"bulk load, in-process): **{floor.seconds:.2f} s** (read {floor.read_seconds:.2f} s, parse {floor.parse_seconds:.2f} s, "
        f"load {floor.load_seconds:.2f} s; "
        f"{floor.files:,} files, {floor.sheets:,} sheets, {floor.rows:,} rows)."
    )


def command_line(argv: Sequence[str]) -> str:
    return shlex.join([".venv/bin/python", "-m", "tools.benchmark", *argv])


def _describe_working_tree() -> str:
    try:
        return f"working tree ({_git('describe', '--always', '--dirty', '--abbrev=7')})"
    except subprocess.CalledProcessError:
        return "working tree"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=("city", "province", "national"), default="province")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--workdir", type=Path, help="keeps generated data between benchmarks (default: a temporary folder)")
    parser.add_argument("--baseline", metavar="REV", help="also run a git worktree of REV, alternating with the new code, and compare")
    parser.add_argument("--new", metavar="REV", help="with --baseline: measure a worktree of REV instead of the working tree")
    parser.add_argument("--repeat", type=int, default=1, help="with --baseline: rounds of the three runs; medians are compared (default 1)")
    parser.add_argument("--no-floor", action="store_true", help="skip measuring the parse-and-load floor")
    parser.add_argument("--phases", action="store_true", help="also show where each run's wall time went (from its Dagster event log)")
    args = parser.parse_args(argv)
    if args.new and not args.baseline:
        parser.error("--new needs --baseline")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix=f"vocwh-bench-{args.scale}-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        if args.baseline:
            _compare(args, argv, workdir)
        else:
            _single(args, argv, workdir)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _floor(args: argparse.Namespace, raw: Path, workdir: Path) -> Floor | None:
    if args.no_floor:
        return None
    floor = measure_floor(raw, workdir)
    print(json.dumps({"floor": round(floor.seconds, 2), **asdict(floor)}), file=sys.stderr)
    return floor


def _single(args: argparse.Namespace, argv: list[str], workdir: Path) -> None:
    raw, _ = _prepare_data(args.scale, workdir, args.seed)
    floor = _floor(args, raw, workdir)
    results = benchmark(args.scale, workdir, args.seed, args.phases)
    print(f"\n{args.scale} scale ({os.cpu_count()} cores), {_describe_working_tree()}, workdir {workdir}\n")
    header = ["run", "wall time (s)", "CPU time (s)", "peak memory (MiB)", "rows ingested", "rows/s", "sheets"] + (
        ["× floor"] if floor else []
    )
    rows = [
        [
            m.run,
            f"{m.seconds}",
            f"{m.cpu_seconds}",
            f"{m.peak_rss_mib:.0f}",
            f"{m.rows_ingested}",
            f"{m.rows_per_second}",
            f"{m.sheets_processed}",
        ]
        + ([fmt_multiple(m.seconds, floor.seconds)] if floor else [])
        for m in results
    ]
    print(markdown_table(header, rows))
    print(skipped_note([("", m) for m in results]), end="")
    if floor:
        print("\n" + floor_line(floor))
    if args.phases:
        print("\nWhere the wall time went (s):\n")
        print(markdown_table(*phase_table([(m.run, m.phases) for m in results])))
    print(f"\nCommand: `{command_line(argv)}`")


def _compare(args: argparse.Namespace, argv: list[str], workdir: Path) -> None:
    raw, counties = _prepare_data(args.scale, workdir, args.seed)
    with contextlib.ExitStack() as stack:
        base_dir, base_sha = stack.enter_context(worktree(args.baseline, workdir))
        if args.new:
            new_dir, new_sha = stack.enter_context(worktree(args.new, workdir))
            new_label = f"new {new_sha[:7]}"
        else:
            new_dir, new_label = REPO, _describe_working_tree()
        base = Side(f"baseline {base_sha[:7]}", base_dir, workdir / "baseline")
        new = Side(new_label, new_dir, workdir / "new")
        for side in (base, new):
            side.workdir.mkdir(parents=True, exist_ok=True)
            check_code(side, _pipeline_env(raw, counties, side.workdir / "warehouse", side.workdir / "dagster_home", side.code_dir))
        floor = _floor(args, raw, workdir)
        side_by_side([base, new], raw, counties, args.repeat, args.phases)
    f = floor.seconds if floor else None
    rounds = f", median of {args.repeat} rounds" if args.repeat > 1 else ""
    print(f"\n{args.scale} scale, {os.cpu_count()} cores: {base.label} vs {new.label}{rounds}\n")
    header = [h.format(base=base.label, new=new.label) for h in COMPARISON_HEADER]
    print(markdown_table(header, comparison_rows(base.results, new.results, f)))
    print(f"\nTargets: {TARGETS_SOURCE}. Peak memory is the highest of the three runs.")
    print(skipped_note([(side.label, m) for side in (base, new) for name in RUNS for m in side.results[name]]), end="")
    if floor:
        print("\n" + floor_line(floor))
    print("\nEvery run (each round's figures; rows and sheets ingested in the last):\n")
    header = ["run", "code", "wall time (s)", "CPU time (s)", "peak memory (MiB)", "rows ingested", "sheets"]
    print(markdown_table(header, detail_rows([base, new])))
    if args.phases:
        print("\nWhere the wall time went in the last round (s):\n")
        columns = [(f"{RUN_LABELS[name]}, {side.label}", side.results[name][-1].phases) for name in RUNS for side in (base, new)]
        print(markdown_table(*phase_table(columns)))
    print(f"\nCommand: `{command_line(argv)}`")


if __name__ == "__main__":
    raise SystemExit(main())
