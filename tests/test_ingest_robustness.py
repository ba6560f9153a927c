"""Any file, however malformed, ends as one audit row with a reason, and the run goes on.

Each case is one found by a fault probe on the real pipeline (issue 13): a file that once
stopped or crashed the ingest, or was loaded as data when it was not. The malicious
workbooks are written by hand as zip + XML, not with the library under test.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter
import xlwt

from dagster_project.core.settings import Limits, Settings
from dagster_project.store import load as pipeline
from tests.conftest import SCHOOL_A, SCHOOL_B, query, registry_rows, write_csv, write_xlsx
from tests.test_ingest import AWARD_HEADER, TRAINING_HEADER, award, reasons_of

GOOD_TRAINING = [2024, SCHOOL_A, "电工", "新型学徒制", "2024-03-01", "2024-04-01", 30, 100, "48,000.00", "否", ""]


def training(**over: object) -> list[object]:
    row = dict(zip(TRAINING_HEADER, GOOD_TRAINING, strict=True))
    short = {h.removesuffix("（元）"): h for h in TRAINING_HEADER}
    for k, v in over.items():
        row[short[k]] = v
    return [row[h] for h in TRAINING_HEADER]


def status_of(settings: Settings, source_file: str) -> list[tuple[str, str | None]]:
    return [(r[0], r[1]) for r in query(settings, "SELECT status, reasons FROM audit.submissions WHERE source_file = ?", [source_file])]


@pytest.fixture
def registered(city):  # type: ignore[no-untyped-def]
    write_xlsx(city.raw / "名录" / "2024年职业院校名录.xlsx", {"名录": registry_rows(2024)})
    return city


def landing(tmp_path: Path, **limits: float) -> Settings:
    """Settings like the ``city`` fixture's, with some limits changed."""
    settings = Settings(raw_dir=tmp_path / "raw", warehouse_dir=tmp_path / "wh", pii_key="test-key", limits=Limits(**limits))
    settings.raw_dir.mkdir()
    write_xlsx(settings.raw_dir / "名录.xlsx", {"名录": registry_rows(2024)})
    return settings


def _col(n: int) -> str:
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


class Num(str):
    """A number cell's text exactly as stored in ``<v>`` (1E+300, 1e309)."""


def handmade_xlsx(
    path: Path, cells: dict[str, object], dimension: str | None = None, sheet_xml: bytes | Iterable[bytes] | None = None
) -> Path:
    """A minimal xlsx written by hand (the parts Excel needs, nothing from xlsxwriter):
    numbers as ``<v>``, text as inline strings, an optional ``<dimension>``."""

    def cell(ref: str, value: object) -> str:
        if isinstance(value, str) and not isinstance(value, Num):
            return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
        return f'<c r="{ref}"><v>{value}</v></c>'

    if sheet_xml is None:
        rows: dict[int, list[str]] = {}
        for ref, value in cells.items():
            rows.setdefault(int("".join(ch for ch in ref if ch.isdigit())), []).append(cell(ref, value))
        body = "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
        dim = f'<dimension ref="{dimension}"/>' if dimension else ""
        sheet_xml = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dim}<sheetData>{body}</sheetData></worksheet>'
        ).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            for piece in [sheet_xml] if isinstance(sheet_xml, bytes) else sheet_xml:
                out.write(piece)
    return path


def training_cells(rows: list[list[object]]) -> dict[str, object]:
    return {f"{_col(c + 1)}{r + 1}": v for r, row in enumerate(rows) for c, v in enumerate(row) if v not in (None, "")}


# -- item 2: one file never stops the run ----------------------------------------------


def test_a_csv_with_a_megabyte_cell_is_unreadable_and_the_rest_is_loaded(registered) -> None:  # type: ignore[no-untyped-def]
    write_csv(registered.raw / "培训.csv", [TRAINING_HEADER, training()])
    write_csv(registered.raw / "大单元格.csv", [TRAINING_HEADER, training(), training(培训项目名称="电" * 1_000_000)])
    registered()
    assert status_of(registered.settings, "培训.csv")[0][0] == "loaded"
    assert status_of(registered.settings, "大单元格.csv") == [
        ("unreadable", "第3行第3列：单元格超过32767个字符，不是正常的表格内容 (cell too long)")
    ]


TOO_BIG = "数值过大，超出合理范围，请核对 (number out of range)"


@pytest.mark.parametrize(
    ("name", "write", "expected"),
    [
        (
            "金额1e30.csv",
            lambda p: write_csv(p, [TRAINING_HEADER, training(培训收入="1e30")]),
            f"第2行 培训收入（元）(income_yuan)：{TOO_BIG}（填写的是「1e30」）",
        ),
        (
            "金额20位.csv",
            lambda p: write_csv(p, [TRAINING_HEADER, training(培训收入="100000000000000000000.00")]),
            f"第2行 培训收入（元）(income_yuan)：{TOO_BIG}（填写的是「100000000000000000000.00」）",
        ),
        (
            "金额1E+300.xlsx",
            lambda p: handmade_xlsx(p, training_cells([TRAINING_HEADER, training(培训收入=Num("1E+300"))])),
            f"第2行 培训收入（元）(income_yuan)：{TOO_BIG}（填写的是「1e+300」）",
        ),
        (
            "数字1e309.xlsx",  # a number cell whose value overflows a double
            lambda p: handmade_xlsx(p, training_cells([TRAINING_HEADER, training(培训收入=Num("1e309"))])),
            f"第2行 培训收入（元）(income_yuan)：{TOO_BIG}（填写的是「inf」）",
        ),
        (
            "人数10的20次方.xlsx",
            lambda p: write_xlsx(p, {"s": [TRAINING_HEADER, training(培训人数=10**20)]}),
            f"第2行 培训人数(trainees)：{TOO_BIG}（填写的是「1e+20」）",
        ),
        (
            "日期9999年.csv",  # beyond pandas' timestamps: once an error for the whole batch
            lambda p: write_csv(p, [TRAINING_HEADER, training(开始日期="9999-12-31")]),
            "第2行 开始日期(start_date)：不是有效日期（填写的是「9999-12-31」）",
        ),
        (
            "金额超一万亿.csv",
            lambda p: write_csv(p, [TRAINING_HEADER, training(培训收入="2,000,000,000,000")]),
            "第2行 培训收入（元）(income_yuan)：不能大于1万亿（1000000000000），请核对是否多填了数字 (implausibly large)"
            "（填写的是「2,000,000,000,000」）",
        ),
        (
            "人数超千万.csv",
            lambda p: write_csv(p, [TRAINING_HEADER, training(培训人数=20_000_000)]),
            "第2行 培训人数(trainees)：不能大于1000万（10000000），请核对是否多填了数字 (implausibly large)（填写的是「20000000」）",
        ),
    ],
)
def test_a_number_beyond_any_bound_is_a_rejection_naming_the_cell(registered, name, write, expected) -> None:  # type: ignore[no-untyped-def]
    write(registered.raw / name)
    write_csv(registered.raw / "好的.csv", [TRAINING_HEADER, training(培训项目名称="焊工")])
    registered()
    assert status_of(registered.settings, name) == [("rejected", expected)]
    assert status_of(registered.settings, "好的.csv")[0][0] == "loaded"
    assert query(registered.settings, "SELECT program_name FROM submissions.training") == [("焊工",)]


def test_an_unexpected_error_reading_one_file_is_its_reason_not_a_crash(registered, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    write_csv(registered.raw / "好的.csv", [TRAINING_HEADER, training()])
    write_csv(registered.raw / "触发缺陷.csv", [TRAINING_HEADER, training(培训项目名称="缺陷")])
    real_extract = pipeline.extract

    def extract(rows, recognised):  # type: ignore[no-untyped-def]
        if any("缺陷" in str(c) for row in rows for c in row):
            raise KeyError("a bug in parsing")
        return real_extract(rows, recognised)

    monkeypatch.setattr(pipeline, "extract", extract)
    registered()
    assert status_of(registered.settings, "触发缺陷.csv") == [
        ("unreadable", "读取时出现意外错误，已记录，请联系管理员 (internal error while reading: KeyError: 'a bug in parsing')")
    ]
    assert status_of(registered.settings, "好的.csv")[0][0] == "loaded"
    assert "reading 触发缺陷.csv failed" in caplog.text  # logged with its traceback, not swallowed


def test_a_value_the_database_refuses_rolls_back_only_its_own_file(registered, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The chunk is one transaction; when it fails, files are stored one by one and only the
    one that cannot be stored is rejected."""
    write_csv(registered.raw / "好的.csv", [TRAINING_HEADER, training()])
    write_csv(registered.raw / "坏的.csv", [TRAINING_HEADER, training(学校标识码=SCHOOL_B, 培训项目名称="焊工")])
    real_frame = pipeline._history_frame

    def frame(template, outcomes, pii_key, loaded_at):  # type: ignore[no-untyped-def]
        df = real_frame(template, outcomes, pii_key, loaded_at)
        if template.key == "training":  # what a parser bug letting 10^20 through would store
            df.loc[df["source_file"] == "坏的.csv", "income_yuan"] = "100000000000000000000.00"
        return df

    monkeypatch.setattr(pipeline, "_history_frame", frame)
    registered()
    ((status, reason),) = status_of(registered.settings, "坏的.csv")
    assert status == "rejected"
    assert reason.startswith("入库时出现意外错误，已记录，请联系管理员 (internal error while storing: ConversionException:")
    assert status_of(registered.settings, "好的.csv")[0][0] == "loaded"
    assert query(registered.settings, "SELECT program_name, income_yuan FROM submissions.training") == [("电工", Decimal("48000.00"))]
    assert query(registered.settings, "SELECT count(*) FROM history.training") == [(1,)]


# -- item 3: a sheet too big is refused before it is read ------------------------------


def test_cells_at_a1_and_xfd1048576_are_refused_unread(registered) -> None:  # type: ignore[no-untyped-def]
    handmade_xlsx(registered.raw / "炸弹.xlsx", {"A1": "年度", "XFD1048576": 1}, dimension="A1:XFD1048576")
    handmade_xlsx(registered.raw / "维度谎报.xlsx", {"A1": "年度", "XFD1048576": 1}, dimension="A1:A1")
    handmade_xlsx(registered.raw / "无维度.xlsx", {"A1": "年度", "B300000": 1})
    write_csv(registered.raw / "好的.csv", [TRAINING_HEADER, training()])
    assert (registered.raw / "炸弹.xlsx").stat().st_size < 2000
    registered()
    refused = (
        "的范围过大（{}），超出系统上限（200000行、500列、4000000个单元格），未读取。请删除多余的空行空列或拆分后重新报送 (sheet too large)"
    )
    assert status_of(registered.settings, "炸弹.xlsx") == [("unreadable", "工作表「数据」" + refused.format("1048576行×16384列"))]
    assert status_of(registered.settings, "维度谎报.xlsx") == [("unreadable", "工作表「数据」" + refused.format("1048576行×16384列"))]
    assert status_of(registered.settings, "无维度.xlsx") == [("unreadable", "工作表「数据」" + refused.format("300000行×2列"))]
    assert status_of(registered.settings, "好的.csv")[0][0] == "loaded"


def dense_sheet(rows: int, cols: int) -> Iterator[bytes]:
    """A sheet full of 1s, written row by row (the test itself must not need the memory)."""
    yield b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    letters = [_col(c) for c in range(1, cols + 1)]
    for r in range(1, rows + 1):
        yield (f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in letters) + "</row>").encode()
    yield b"</sheetData></worksheet>"


PEAK_SCRIPT = """
import json, resource, sys
from pathlib import Path
from dagster_project.store.load import run_ingest
from dagster_project.core.settings import Settings
s = Settings.from_env(raw_dir=Path(sys.argv[1]), warehouse_dir=Path(sys.argv[2]), pii_key="k")
r = run_ingest(s)
# VmHWM is this program's own peak: ru_maxrss would carry pytest's from before the exec.
status = Path("/proc/self/status")
hwm = [l for l in status.read_text().splitlines() if l.startswith("VmHWM:")] if status.exists() else []
kb = int(hwm[0].split()[1]) if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"statuses": sorted(o.status for o in r.outcomes), "peak_mb": kb / 1024}))
"""


def test_peak_memory_stays_bounded_on_a_zip_bomb(tmp_path: Path) -> None:
    """In a fresh process: the 1.5 kB sheet that asked calamine for 512 GiB, and a dense sheet of
    4.2 million cells (above the cell limit) compressed to a few hundred kB."""
    raw = tmp_path / "raw"
    handmade_xlsx(raw / "炸弹.xlsx", {"A1": "年度", "XFD1048576": 1}, dimension="A1:XFD1048576")
    handmade_xlsx(raw / "密集.xlsx", {}, sheet_xml=dense_sheet(100_000, 42))
    env = {**os.environ, "VOCWH_QUIET_SECONDS": "0"}
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(PEAK_SCRIPT), str(raw), str(tmp_path / "wh")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=300,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print("peak RSS of ingesting the bombs:", round(result["peak_mb"]), "MB")
    assert result["statuses"] == ["unreadable", "unreadable"]
    assert result["peak_mb"] < 300  # measured 183 MB, of which ~120 MB is the imports


def test_sheet_limits_come_from_the_settings(tmp_path: Path) -> None:
    settings = landing(tmp_path, quiet_seconds=0, max_sheet_cells=1000, max_sheet_xml_bytes=200_000)
    raw = settings.raw_dir
    write_xlsx(raw / "宽表.xlsx", {"s": [TRAINING_HEADER, *[training(培训项目名称=f"项目{i}") for i in range(100)]]})
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 10_000))
    xml = f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>'
    handmade_xlsx(raw / "大.xlsx", {}, sheet_xml=xml.encode())
    pipeline.run_ingest(settings)
    assert status_of(settings, "宽表.xlsx") == [
        (
            "unreadable",
            "工作表「s」的范围过大（101行×11列），超出系统上限（200000行、500列、1000个单元格），未读取。"
            "请删除多余的空行空列或拆分后重新报送 (sheet too large)",
        )
    ]
    ((status, reason),) = status_of(settings, "大.xlsx")
    assert status == "unreadable"
    assert (
        reason
        == f"工作表「数据」解压后达{len(xml.encode())}字节，超出系统上限（200000字节），未读取。请删除多余的空行空列或拆分后重新报送 (sheet too large)"
    )


def test_a_file_above_the_size_limit_is_not_read(tmp_path: Path) -> None:
    settings = landing(tmp_path, quiet_seconds=0, max_file_bytes=20_000)
    big = write_csv(settings.raw_dir / "大.csv", [TRAINING_HEADER, *[training(培训项目名称=f"项目{i}") for i in range(300)]])
    pipeline.run_ingest(settings)
    size = big.stat().st_size
    assert size > 20_000
    assert status_of(settings, "大.csv") == [
        ("unreadable", f"文件大小{size}字节，超出系统上限（20000字节），未读取。请拆分后重新报送 (file too large)")
    ]
    assert status_of(settings, "名录.xlsx")[0][0] == "loaded"


def test_limits_are_read_from_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VOCWH_MAX_SHEET_CELLS", "123")
    monkeypatch.setenv("VOCWH_QUIET_SECONDS", "2.5")
    monkeypatch.delenv("VOCWH_MAX_REASONS", raising=False)
    limits = Settings.from_env().limits
    assert (limits.max_sheet_cells, limits.quiet_seconds, limits.max_reasons) == (123, 2.5, 50)


# -- item 5: half-written and truncated files ------------------------------------------


def test_a_file_inside_the_quiet_period_is_deferred_then_loaded(tmp_path: Path) -> None:
    settings = landing(tmp_path, quiet_seconds=10)
    old = time.time() - 3600
    os.utime(settings.raw_dir / "名录.xlsx", (old, old))
    f = write_csv(settings.raw_dir / "培训.csv", [TRAINING_HEADER, training()])
    pipeline.run_ingest(settings)
    assert status_of(settings, "培训.csv") == [
        ("deferred", "文件在10秒内刚被修改，可能仍在复制中，将在下次运行时处理 (deferred: modified within the quiet period)")
    ]
    assert query(settings, "SELECT count(*) FROM audit.files WHERE source_file = '培训.csv'") == [(0,)]
    assert query(settings, "SELECT count(*) FROM history.training") == [(0,)]
    os.utime(f, (old + 60, old + 60))  # the copy finished a while ago
    pipeline.run_ingest(settings)
    assert [s for s, _ in status_of(settings, "培训.csv")] == ["deferred", "loaded"]


def test_a_csv_still_being_written_while_read_is_deferred_not_loaded(registered, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The writer appends the rest of the last row while the pipeline reads: quiet period off
    (as in scripted runs), the change is still noticed."""
    path = registered.raw / "培训.csv"
    full = write_csv(path, [TRAINING_HEADER, training(培训收入="104327")]).read_bytes()
    cut = full.index(b"104") + 3
    path.write_bytes(full[:cut])
    real_read = Path.read_bytes

    def read_while_written(self: Path) -> bytes:
        data = real_read(self)
        if self.name == "培训.csv" and len(data) == cut:
            with self.open("ab") as fh:  # the copy goes on
                fh.write(full[cut:])
        return data

    monkeypatch.setattr(Path, "read_bytes", read_while_written)
    registered()
    assert status_of(registered.settings, "培训.csv") == [
        ("deferred", "文件在读取过程中发生了变化（可能仍在写入），将在下次运行时处理 (deferred: file changed while being read)")
    ]
    assert query(registered.settings, "SELECT count(*) FROM history.training") == [(0,)]
    registered()
    assert query(registered.settings, "SELECT income_yuan FROM submissions.training") == [(Decimal("104327.00"),)]


TRUNCATED = "文件不完整，可能未复制完或被截断，请重新导出后再报送 (truncated)"


def test_a_csv_cut_inside_a_quoted_amount_does_not_supersede_the_good_version(registered) -> None:  # type: ignore[no-untyped-def]
    path = registered.raw / "培训.csv"
    good = write_csv(path, [TRAINING_HEADER, training(培训收入="6,038,800.00")]).read_bytes()
    registered()
    cut = good.index(b'"6,038,800.0') + len(b'"6,038,800.0')
    path.write_bytes(good[:cut])
    registered()
    assert status_of(registered.settings, "培训.csv")[-1] == ("unreadable", TRUNCATED)
    assert query(registered.settings, "SELECT income_yuan FROM submissions.training") == [(Decimal("6038800.00"),)]


def test_a_csv_whose_last_line_is_cut_short_is_truncated(registered) -> None:  # type: ignore[no-untyped-def]
    data = write_csv(registered.raw / "培训.csv", [TRAINING_HEADER, training(), training(培训项目名称="焊工")]).read_bytes()
    (registered.raw / "培训.csv").write_bytes(data[: data.rindex(b"2024-04-01") + 7])  # inside the end date
    write_csv(registered.raw / "带说明.csv", [TRAINING_HEADER, training()])
    with (registered.raw / "带说明.csv").open("ab") as fh:
        fh.write("填表人：赵六".encode())  # a note line without a final newline is not a cut row
    registered()
    assert status_of(registered.settings, "培训.csv") == [("unreadable", TRUNCATED)]
    assert status_of(registered.settings, "带说明.csv")[0][0] == "loaded"


# -- item 6: an ID typed as a number ---------------------------------------------------


def test_an_id_number_typed_as_a_number_is_rejected_with_advice(registered) -> None:  # type: ignore[no-untyped-def]
    write_xlsx(registered.raw / "获奖.xlsx", {"s": [AWARD_HEADER, award(身份证号=220202200708015915)]})
    registered()
    ((status, reason),) = status_of(registered.settings, "获奖.xlsx")
    assert status == "rejected"
    assert reason.startswith(
        "第2行 身份证号(id_number)：数字格式的号码已被Excel改变（只保留15位有效数字），请将该列设置为文本格式后重新填写 (format the column as text)"
    )
    assert "5915" not in reason and "200708015904" not in reason  # quoted masked, as what Excel kept
    assert query(registered.settings, "SELECT count(*) FROM history.competition_awards") == [(0,)]


# -- item 7: smaller wrong answers -----------------------------------------------------


def test_reasons_are_capped_per_sheet_and_results_kept_whole(registered) -> None:  # type: ignore[no-untyped-def]
    write_csv(registered.raw / "培训.csv", [TRAINING_HEADER, *[training(培训收入=-1, 培训项目名称=f"项目{i}") for i in range(200)]])
    registered()
    reasons = reasons_of(registered.settings, "培训.csv")
    assert len(reasons) == 51
    assert reasons[0] == "第2行 培训收入（元）(income_yuan)：不能小于0（填写的是「-1」）"
    assert reasons[49] == "第51行 培训收入（元）(income_yuan)：不能小于0（填写的是「-1」）"
    assert reasons[50] == "…另有150条问题未列出，请先改正以上问题 (150 more)"
    assert query(
        registered.settings, "SELECT unexpected_count FROM audit.validation_results WHERE column_key = 'income_yuan' AND NOT success"
    ) == [(200,)]


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-16", "\t"), ("utf-16-le", ","), ("utf-16-be", "\t")])
def test_utf16_csv_is_decoded(registered, encoding: str, delimiter: str) -> None:  # type: ignore[no-untyped-def]
    """Excel's "Unicode text" is tab-separated UTF-16 with a BOM; some tools drop the BOM."""
    text = "\r\n".join(delimiter.join(str(v) for v in row) for row in [TRAINING_HEADER, training(培训收入="48000")]) + "\r\n"
    (registered.raw / "培训.csv").write_bytes(text.encode(encoding))
    registered()
    assert query(registered.settings, "SELECT program_name, income_yuan FROM submissions.training") == [("电工", Decimal("48000.00"))]


def test_a_cached_formula_error_is_reported_as_such(registered) -> None:  # type: ignore[no-untyped-def]
    path = registered.raw / "培训.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("s")
    for r, row in enumerate([TRAINING_HEADER, training()]):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    ws.write_formula("I2", "=48000/0", None, "#DIV/0!")
    ws.write_formula("C2", "=VLOOKUP(1,Z1:Z2,2,0)", None, "#N/A")
    wb.close()
    registered()
    assert reasons_of(registered.settings, "培训.xlsx") == [
        "第2行 培训项目名称(program_name)：单元格是公式错误（#N/A），请改为数值 (formula error)（填写的是「#N/A」）",
        "第2行 培训收入（元）(income_yuan)：单元格是公式错误（#DIV/0!），请改为数值 (formula error)（填写的是「#DIV/0!」）",
    ]


def test_a_nul_character_in_a_cell_is_rejected(registered) -> None:  # type: ignore[no-untyped-def]
    write_xlsx(registered.raw / "培训.xlsx", {"s": [TRAINING_HEADER, training(培训项目名称="电\x00工")]})
    write_csv(registered.raw / "培训.csv", [TRAINING_HEADER, training(合作机构="吉林\x00化纤")])
    registered()
    assert reasons_of(registered.settings, "培训.xlsx") == [
        "第2行 培训项目名称(program_name)：单元格中含有不可见的空字符(NUL)，请删除后重新填写 (NUL character in cell)（填写的是「电工」）"
    ]
    assert reasons_of(registered.settings, "培训.csv") == [
        "第2行 合作机构(partner_name)：单元格中含有不可见的空字符(NUL)，请删除后重新填写 (NUL character in cell)（填写的是「吉林化纤」）"
    ]


def test_xls_is_read_and_every_other_file_gets_a_status(registered) -> None:  # type: ignore[no-untyped-def]
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("培训")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for r, row in enumerate([TRAINING_HEADER, training(开始日期=dt.date(2024, 3, 1), 培训收入=48000.5)]):
        for c, v in enumerate(row):
            if isinstance(v, dt.date):
                ws.write(r, c, dt.datetime.combine(v, dt.time()), date_style)
            else:
                ws.write(r, c, v)
    wb.save(str(registered.raw / "培训.xls"))
    (registered.raw / "说明.docx").write_bytes(b"PK\x03\x04 not really a document")
    (registered.raw / "扫描件.pdf").write_bytes(b"%PDF-1.4\n")
    (registered.raw / "README").write_text("notes")
    (registered.raw / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (registered.raw / "~$培训.xlsx").write_bytes(b"\x0czhang san  ")  # Excel's lock file while 培训.xlsx is open
    registered()
    assert query(registered.settings, "SELECT program_name, start_date, income_yuan FROM submissions.training") == [
        ("电工", dt.date(2024, 3, 1), Decimal("48000.50"))
    ]
    unsupported = "不是可识别的报送文件格式，请使用xlsx、xls或csv文件报送 (unsupported file type)"
    for name in ("说明.docx", "扫描件.pdf"):
        assert status_of(registered.settings, name) == [("unrecognised", unsupported)]
    # plainly not a submission (issue 21): skipped, no status at all
    assert status_of(registered.settings, "README") == []
    registered()  # answered once: not reported again while unchanged
    assert query(registered.settings, "SELECT count(*) FROM audit.submissions WHERE status = 'unrecognised'") == [(2,)]


def test_the_sensor_waits_for_a_file_being_copied_then_starts_one_run(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Otherwise the run would defer the file, and no later tick would see new content."""
    import dagster as dg

    from dagster_project.defs.resources import VocwhResource
    from dagster_project.defs.sensors import build_sensor

    monkeypatch.setenv("VOCWH_QUIET_SECONDS", "10")
    sensor = build_sensor(dg.define_asset_job("j", selection="*"))
    path = write_xlsx(tmp_path / "raw" / "名录.xlsx", {"s": registry_rows()})
    resources = {"vocwh": VocwhResource(raw_dir=str(tmp_path / "raw"), warehouse_dir=str(tmp_path / "wh"))}
    copying = sensor(dg.build_sensor_context(resources=resources))
    assert copying.run_requests == [] and "quiet period" in str(copying.skip_reason)
    old = time.time() - 60
    os.utime(path, (old, old))
    settled = sensor(dg.build_sensor_context(resources=resources, cursor=copying.cursor))
    assert len(settled.run_requests) == 1
