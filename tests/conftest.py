"""Shared test helpers: writing small submission files the way offices do."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dagster_project.core.gc_tuning import keep_out_of_collections, pause_collections

# Collecting imports the whole stack: no collections until pytest_collection_finish freezes it.
pause_collections()

import duckdb  # noqa: E402
import filelock  # noqa: E402
import pytest  # noqa: E402
import xlsxwriter  # noqa: E402

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# Tests write files and ingest at once: no quiet period (the check for a file changing while
# it is read stays on). Subprocesses (Dagster CLI, dbt) inherit it.
os.environ.setdefault("VOCWH_QUIET_SECONDS", "0")

from dagster_project.core.settings import DBT_PROJECT_DIR, PROJECT_ROOT, Settings  # noqa: E402
from dagster_project.store.load import IngestReport, run_ingest  # noqa: E402
from dagster_project.transform import dbt_inprocess  # noqa: E402
from dagster_project.transform.build import build_args  # noqa: E402
from dagster_project.transform.dbt_project import APPROVED, FIGURES, LATEST, dbt_vars, machine_parse  # noqa: E402
from tests.pg import PgServer, start_cluster  # noqa: E402

Row = Sequence[Any]

SCHOOL_A = "4122020001"
SCHOOL_B = "4122040002"
REGISTRY_HEADER = ["年度", "学校标识码", "学校名称", "所在县区代码", "办学层次", "举办者", "是否附设综合高中"]


def hmac_key(id_number: str, key: str) -> str:
    """The person_key a test expects: HMAC-SHA256 of the ID number (upper case X), computed here
    from the spec rather than by the package's ``core.pii.person_key``."""
    return hmac.new(key.encode(), id_number.upper().encode(), hashlib.sha256).hexdigest()


def registry_rows(year: int = 2024, extra: Sequence[Row] = ()) -> list[Row]:
    return [
        REGISTRY_HEADER,
        [year, SCHOOL_A, "吉林市昌邑区职业技术学校", "220202", "中职", "县属", "是"],
        [year, SCHOOL_B, "吉林工业职业技术学院", "220204", "高职", "市属", "否"],
        *extra,
    ]


def write_xlsx(path: Path, sheets: dict[str, Sequence[Row]]) -> Path:
    """Cells written with their Python types: dates as real Excel dates, numbers as numbers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write(r, c, value)
    wb.close()
    return path


def write_csv(path: Path, rows: Sequence[Row], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.writer(buf).writerows([["" if v is None else v for v in row] for row in rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.fixture
def city(tmp_path: Path) -> Callable[..., IngestReport]:
    """A landing folder and warehouse in tmp; calling it runs one ingestion."""
    settings = Settings.from_env(raw_dir=tmp_path / "raw", warehouse_dir=tmp_path / "wh", pii_key="test-key")
    settings.raw_dir.mkdir()

    def run() -> IngestReport:
        return run_ingest(settings)

    run.settings = settings  # type: ignore[attr-defined]
    run.raw = settings.raw_dir  # type: ignore[attr-defined]
    return run


def query(settings: Settings, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


# ---- one real build shared by the publishing tests ------------------------------------------
#
# The committed sample city (raw/, 2023-2024) plus a small 2025 of our own with hostile text
# (formula-like names, events and approval numbers) and the case of issue 8: a suppressed
# duplicate award paid without approval. Ingested by the real pipeline and built by the
# real `dbt build`, once per session; tests that change the warehouse take a copy.

HOSTILE_SCHOOL = "5122020901"
HTML_SCHOOL = "5122020902"
HTML_NAME = "<img src=x onerror=alert(1)>职业学校"
FORMULA_NAME = '=HYPERLINK("http://x","y")'
HOSTILE = [FORMULA_NAME, "+1", "-2", "@SUM(A1)"]
PUBLISH_PII_KEY = "test-publish-key"


def gb11643(body17: str) -> str:
    """A full 18-character ID number: the 17 digits plus the GB 11643-1999 check character."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body17 + "10X98765432"[sum(int(d) * w for d, w in zip(body17, weights, strict=True)) % 11]


# name, ID number: invented people, check characters per GB 11643
PEOPLE_2025 = {
    "zhang": ("张三", gb11643("22020220070315123")),
    "hostile": ("@SUM(A1)", gb11643("22020220061101002")),
    "li": ("李四", gb11643("22020219850607567")),
}

AWARD_HEADER = [
    "年度", "学校标识码", "姓名", "身份证号", "人员类别", "大赛名称", "大赛级别", "主办方类型",
    "赛项名称", "获奖等级", "获奖日期", "申报奖励金额（元）", "人社局批准文号", "已发放金额（元）",
]  # fmt: skip


def _hostile_city(landing: Path) -> None:
    d = dt.date
    write_xlsx(
        landing / "2025/市教育局/全市职业院校名录（2025年）.xlsx",
        {
            "名录": [
                REGISTRY_HEADER,
                [2025, HOSTILE_SCHOOL, FORMULA_NAME, "220202", "中职", "县属", "否"],
                [2025, HTML_SCHOOL, HTML_NAME, "220202", "中职", "县属", "否"],
            ]
        },
    )
    for school, students in ((HOSTILE_SCHOOL, 300), (HTML_SCHOOL, 120)):
        write_csv(
            landing / f"2025/昌邑区/{school}/在校生情况.csv",
            [
                ["年度", "学校标识码", "专业大类代码", "专业大类名称", "在校生数", "其中：职教高考班学生数", "学费收入（元）"],
                [2025, school, "51", "装备制造大类", students, 0, students * 500],
            ],
        )
    zhang, hostile, li = (PEOPLE_2025[k] for k in ("zhang", "hostile", "li"))
    write_xlsx(
        landing / "2025/昌邑区/学校901/2025年技能大赛获奖统计.xlsx",
        {
            "Sheet1": [
                AWARD_HEADER,
                # issue 8: the city award was paid 3000 without approval; the national one counts
                # (12000, approved, not yet paid). Payment without approval is judged row by row.
                [2025, HOSTILE_SCHOOL, *zhang, "学生", "吉林市职业院校技能大赛", "市级", "职业院校技能大赛", "工业机器人技术应用", "一等奖",
                 d(2025, 3, 20), 3000, None, 3000],
                [2025, HOSTILE_SCHOOL, *zhang, "学生", "全国职业院校技能大赛", "国家级", "职业院校技能大赛", "工业机器人 技术应用", "三等奖",
                 d(2025, 8, 15), 12000, "吉人社字〔2025〕18号", 0],
                [2025, HOSTILE_SCHOOL, *hostile, "参赛教师", "-2", "省级", "职业院校技能大赛", "+1", "三等奖",
                 d(2025, 5, 10), 5000, FORMULA_NAME, 5000],
                [2025, HOSTILE_SCHOOL, *li, "参赛教师", "吉林省职业院校技能大赛", "省级", "职业院校技能大赛", "@SUM(A1)", "二等奖",
                 d(2025, 5, 10), 8000, None, 8500],
            ]
        },
    )  # fmt: skip


@dataclass(frozen=True)
class PublishedCity:
    settings: Settings
    work_dir: Path  # dbt targets and logs of the build, one folder per set of figures

    @property
    def received_warehouse(self) -> Path:
        """The warehouse as the first ingest left it: every file of the sample received,
        nothing reviewed or approved yet (for the clerk's commands; take a copy)."""
        return self.work_dir / "received" / "warehouse.duckdb"

    def manifest(self, figures: str = LATEST) -> dict[str, Any]:
        """The manifest of one of the two builds (the approved one has its own parse)."""
        return json.loads((self.work_dir / figures / "target" / "manifest.json").read_text(encoding="utf-8"))


def dbt_test_env(warehouse_dir: Path) -> dict[str, str]:
    return {**os.environ, "VOCWH_WAREHOUSE_DIR": str(warehouse_dir), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}


def run_dbt(args: list[str], warehouse_dir: Path, work_dir: Path) -> subprocess.CompletedProcess[str]:
    """dbt as the pipeline runs it (in this process, from inside ``warehouse_dir``:
    ``transform.dbt_inprocess``) on the checkout's project, target and logs in ``work_dir``;
    what it printed is the result's stdout. It starts from the machine's parse of the project
    for the figures its ``--vars`` name (a full parse costs about 7 s of CPU), as a new
    warehouse of the pipeline does; dbt still re-parses any file changed since."""
    target = work_dir / "target"
    target.mkdir(parents=True, exist_ok=True)
    figures = APPROVED if "--vars" in args and args[args.index("--vars") + 1] == dbt_vars(APPROVED)[1] else LATEST
    shutil.copyfile(machine_parse(figures) / "partial_parse.msgpack", target / "partial_parse.msgpack")
    args = [
        *args,
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target), "--log-path", str(work_dir / "logs"),
    ]  # fmt: skip
    env = {
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "DBT_PARTIAL_PARSE": "true",
        # dbt's log file at info, as the pipeline's (transform.dbt_project.dbt_env): its debug
        # lines, every statement, cost a tenth of a build
        "DBT_LOG_LEVEL_FILE": os.environ.get("DBT_LOG_LEVEL_FILE") or "info",
    }
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        done = dbt_inprocess.invoke(args, warehouse_dir, env)
    stderr = "" if done.exception is None else f"{type(done.exception).__name__}: {done.exception}"
    return subprocess.CompletedProcess(["dbt", *args], 0 if done.success else 1, printed.getvalue(), stderr)


def dbt_build_real(settings: Settings, work_dir: Path, figures: Sequence[str] = FIGURES, select: dict[str, str] | None = None) -> None:
    """The real `dbt build` as the pipeline runs it: the latest figures, then the approved ones
    (``transform.build.build_args``), each with its own target folder ``work_dir/<figures>``.
    Unit tests are not part of it: tests/test_dbt_marts.py runs them. ``select`` (figures ->
    dbt selection) builds only what a test reads, with the data tests of those models only;
    the approved build reads the seeds of the latest, so the latest selection names them."""
    for f in figures:
        args = build_args(f) if select is None else [*build_args(f, select[f]), "--indirect-selection", "cautious"]
        result = run_dbt(args, settings.warehouse_dir, work_dir / f)
        assert result.returncode == 0, f"dbt build ({f}):\n" + result.stdout[-8000:] + result.stderr[-4000:]


def _build_published_city(root: Path) -> PublishedCity:
    landing = root / "raw"
    shutil.copytree(PROJECT_ROOT / "raw", landing)
    _hostile_city(landing)
    settings = Settings.from_env(raw_dir=landing, warehouse_dir=root / "warehouse", pii_key=PUBLISH_PII_KEY)
    run_ingest(settings)
    (root / "received").mkdir()
    shutil.copy2(settings.warehouse_path, root / "received" / "warehouse.duckdb")  # closed: no WAL left
    # Issue 10: the city approves everything received, then one school corrects its 2024
    # enrolment after the lock, so the approved figures (what finance pays against) and the
    # latest differ in exactly one place.
    approve_everything(settings)
    _correction_after_the_lock(landing)
    run_ingest(settings)
    dbt_build_real(settings, root)
    return PublishedCity(settings, root)


# What the review tests read: the round's status (latest figures) and the funding mart of the
# approved figures, with the seeds both builds read.
STATUS_AND_APPROVED_FUNDING = {LATEST: "resource_type:seed +submission_status", APPROVED: "+per_student_funding"}


class SharedBuildFailed(RuntimeError):
    pass


def made_once(shared: Path, name: str, make: Callable[[Path], object]) -> Path:
    """``shared / name``, made by ``make`` in the first process to get here (the session's
    temp folder is above each xdist worker's); the others wait on the file lock, then use the
    same folder. A failure is not tried again: every later caller gets its error."""
    root, done, failed = shared / name, shared / f"{name}.done", shared / f"{name}.failed"
    with filelock.FileLock(str(shared / f"{name}.lock")):
        if failed.exists():
            raise SharedBuildFailed(f"{name} failed to build:\n" + failed.read_text(encoding="utf-8"))
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir()
            try:
                make(root)
            except BaseException as e:
                failed.write_text(f"{type(e).__name__}: {e}"[-12000:], encoding="utf-8")
                raise
            done.touch()
    return root


def shared_city(shared: Path) -> PublishedCity:
    """published_city in ``shared``, built once for all workers (read-only connections may
    share a DuckDB file across processes)."""
    root = made_once(shared, "published_city", _build_published_city)
    return PublishedCity(Settings.from_env(raw_dir=root / "raw", warehouse_dir=root / "warehouse", pii_key=PUBLISH_PII_KEY), root)


@pytest.fixture(scope="session")
def published_city(tmp_path_factory: pytest.TempPathFactory) -> PublishedCity:
    """Built once per test session. Under pytest-xdist each worker has its own session
    fixtures, so it is built once into the session's shared folder (``shared_city``),
    usually already by the background build ``pytest_collection_finish`` starts."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return _build_published_city(tmp_path_factory.mktemp("published_city"))
    try:
        return shared_city(tmp_path_factory.getbasetemp().parent)
    except SharedBuildFailed as e:
        pytest.fail(str(e))


@pytest.fixture(scope="module")
def con(published_city: PublishedCity) -> Iterator[duckdb.DuckDBPyConnection]:
    """The shared build's working database, read-only: the latest and the approved figures,
    the reports and the audit tables as the sample city's runs left them."""
    c = duckdb.connect(str(published_city.settings.warehouse_path), read_only=True)
    try:
        yield c
    finally:
        c.close()


_background: list[subprocess.Popen[bytes]] = []


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """pytest-xdist's controller collects nothing: its collections resume here."""
    if session.config.pluginmanager.has_plugin("dsession"):
        keep_out_of_collections()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Under pytest-xdist, the first worker to finish collecting starts building
    published_city in a process of its own when a selected test needs it, so both workers
    run other modules meanwhile instead of one building and the other waiting on the lock.

    The modules collected live as long as the session: out of the collector's full passes
    (core/gc_tuning.py)."""
    keep_out_of_collections()
    factory = getattr(session.config, "_tmp_path_factory", None)
    if not os.environ.get("PYTEST_XDIST_WORKER") or factory is None or session.config.option.collectonly:
        return
    if not any("published_city" in getattr(item, "fixturenames", ()) for item in session.items):
        return
    shared = factory.getbasetemp().parent
    try:
        (shared / "published_city.started").open("x").close()  # one worker starts it
    except FileExistsError:
        return
    log = (shared / "published_city.log").open("wb")
    code = "import sys; from pathlib import Path; from tests.conftest import shared_city; shared_city(Path(sys.argv[1]))"
    args = [sys.executable, "-c", code, str(shared)]
    _background.append(subprocess.Popen(args, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The other worker may still need the build: wait for it, unless the run was interrupted
    (^C), which stops the build and its dbt (its own process group)."""
    for proc in _background:
        if proc.poll() is None and exitstatus == pytest.ExitCode.INTERRUPTED:
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()


# The sample school that corrects its 2024 enrolment after the lock (published_city), 吉林市旅游
# 职业学校: category 42 goes from 60 to 80 pupils; the approved figures keep 60.
LOCKED_SCHOOL = "5122020095"
LOCKED_SCHOOL_APPROVED_STUDENTS = 60 + 176 + 184
LOCKED_SCHOOL_LATEST_STUDENTS = 80 + 176 + 184


def _correction_after_the_lock(landing: Path) -> None:
    write_csv(
        landing / "2025-06-锁定后更正/吉林市旅游职业学校/附件1 在校生及学费收入（锁定后更正）.csv",
        [
            ["年度", "学校标识码", "专业大类代码", "专业大类名称", "在校生数", "其中：职教高考班学生数", "学费收入（元）"],
            [2024, LOCKED_SCHOOL, "42", "资源环境与安全大类", 80, "", "48000.00"],
            [2024, LOCKED_SCHOOL, "53", "财经商贸大类", 176, "", "0.00"],
            [2024, LOCKED_SCHOOL, "54", "", 184, 0, "216384.00"],
        ],
    )


def approve_all(con: duckdb.DuckDBPyConnection, by: str = "市教育局 测试") -> int:
    """The city approves every identity with a received version, through the real code path
    (``store.review.record_action``, as ``vocwh approve`` does); returns how many."""
    from dagster_project.store.review import record_action

    todo = con.execute(
        "SELECT template, submitter_code, year FROM audit.review_state WHERE current_submission_id IS NOT NULL AND NOT locked ORDER BY ALL"
    ).fetchall()
    for template, submitter, year in todo:
        record_action(con, "approve", template, submitter, year, by)
    return len(todo)


def approve_everything(settings: Settings, by: str = "市教育局 测试") -> int:
    from dagster_project.store.warehouse import connect

    with connect(settings.warehouse_path) as con:
        return approve_all(con, by)


@pytest.fixture
def city_copy(published_city: PublishedCity, tmp_path: Path) -> Settings:
    """A private copy of the built warehouse, for a test that changes it or publishes into it."""
    src = published_city.settings
    settings = Settings(raw_dir=src.raw_dir, warehouse_dir=tmp_path / "wh", pii_key=src.pii_key)
    settings.warehouse_dir.mkdir(parents=True)
    shutil.copy2(src.warehouse_path, settings.warehouse_path)
    return settings


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One throwaway PostgreSQL 15 cluster for the whole session (tests/pg.py)."""
    yield from start_cluster()


WORKERS = 2  # the machine's cores
# the key in each worker's workerinput saying whether tests are grouped (pytest_configure_node)
LOADGROUP = "vocwh_loadgroup"


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Every run takes both cores unless told otherwise (``-n N``, ``-n 0``, ``-p no:xdist``):
    two pytest-xdist workers with ``--dist loadgroup``. A test is a unit of work of its own,
    so the two workers end together (whole modules as units left one worker running a long
    module alone: the quick run took 77 s that way, 58 s this way), except in the modules
    marked ``xdist_group``, whose module fixture (an ingest or a dbt build) one worker makes
    once. Runs before xdist's own hook, which then starts the workers."""
    worker_input = getattr(config, "workerinput", None)
    if worker_input is not None:
        # A worker parses the command line again, without what this hook set in the
        # controller: told here, it adds the group to each test's id, as --dist loadgroup on
        # the command line makes it do (pytest_configure_node below).
        if worker_input.get(LOADGROUP):
            config.option.loadgroup = True
        return
    xdist = config.pluginmanager.hasplugin("xdist") and "PYTEST_XDIST_WORKER" not in os.environ
    if xdist and getattr(config.option, "numprocesses", 0) is None and not config.option.collectonly:
        config.option.numprocesses = WORKERS
        if config.option.dist == "no":
            config.option.dist = "loadgroup"
            config.option.loadscopereorder = False  # the order of pytest_collection_modifyitems below


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist's controller, for each worker it starts: whether tests are grouped."""
    node.workerinput[LOADGROUP] = node.config.option.dist == "loadgroup"


# `pytest -m "not slow"` is the quick run while working (CONTRIBUTING.md). Besides tests
# marked `slow` or `e2e` where they are defined, these are slow: everything on the shared real
# build (`published_city`, and what copies it) or on a module's own dbt build (`built` in
# test_recruitment), the PostgreSQL server, and a few tests that build with dbt, load the
# definitions, generate a province or fork a pool.
SLOW_FIXTURES = {"built", "published_city", "city_copy", "pg_server"}
SLOW_TESTS = {
    "test_definitions_load_as_one_graph",
    "test_postgres_is_declared_only_when_configured",  # loads the definitions twice (two dbt parses each on a fresh checkout)
    "test_province_scale",
    "test_same_seed_same_bytes",
    "test_one_event_however_written_counts_once_through_dbt",  # a real dbt build
    "test_a_round_from_open_to_correction_after_the_lock",  # two real dbt builds
    "test_many_processes_open_a_fresh_dagster_home_at_once",
    "test_peak_memory_stays_bounded_on_a_zip_bomb",
}


# The order modules are handed to the two workers (--dist loadgroup takes them in collection
# order): the long ones that need no shared build first, while it is built in the background,
# so that no worker ends the run alone on a long module; then the modules on the shared build;
# then the short ones, which even out the end.
LONG_MODULES = (
    "test_crash_recovery", "test_batching", "test_documented_commands", "test_rounds", "test_reopen_keeps_approved",
    "test_award_keys", "test_issue18_pipeline", "test_generator", "test_recruitment", "test_ingest_robustness",
)  # fmt: skip


def _module(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    on_shared_build: set[str] = set()
    for item in items:
        name = getattr(item, "originalname", item.name)
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("e2e") or SLOW_FIXTURES & fixtures or name in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
        if "published_city" in fixtures:
            on_shared_build.add(_module(item))

    def rank(item: pytest.Item) -> tuple[int, int]:
        module = _module(item)
        if module in LONG_MODULES:
            return (0, LONG_MODULES.index(module))
        return (1, 0) if module in on_shared_build else (2, 0)

    items.sort(key=rank)  # stable: the order within a module and within a rank is kept
