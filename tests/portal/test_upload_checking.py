"""The check at upload (``portal.checking``), without Django: real sample files from ``raw/``,
broken the way clerks break them, checked by ingestion's own code.

The registry the checks run against is given as the sample's 2024 registry lists it
(raw/2024/市教育局/全市职业院校名录（2024年）.xlsx, read by eye), not read by the code under test.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from dagster_project.core.settings import PROJECT_ROOT, Limits
from dagster_project.portal.checking import (
    PASSED,
    SENSOR_INTERVAL_SECONDS,
    check_file,
    landing_path,
    mask_ids,
    sanitised_name,
    write_to_landing,
)
from tests.conftest import REGISTRY_HEADER, write_xlsx

SCHOOL = "5122020113"  # 吉林市昌邑区职业高级中学, 昌邑区
OTHER_SCHOOL = "5122020121"  # 吉林市船营区职业高级中学
AWARDS = PROJECT_ROOT / "raw/2024/昌邑区/吉林市昌邑区职业高级中学/获奖名单v2.csv"
COUNTY_BUDGET = PROJECT_ROOT / "raw/2024/昌邑区/教育局/2024年教育经费统计.xlsx"
REGISTRY_2024 = [(2024, SCHOOL), (2024, OTHER_SCHOOL)]


def only(code: str) -> Callable[[str, int | None], bool]:
    """A scope as the portal's Scope.covers answers it."""
    return lambda submitter, year: submitter == code


def broken_awards() -> bytes:
    """The school's award list with two mistakes a clerk makes: the ID number on Excel row 2 with
    a wrong check digit (…5075 typed as …5076) and row 3's award date in the year before the statistical year (2023/3/21 in a 2024 list)."""
    lines = AWARDS.read_text(encoding="gb18030").splitlines()  # saved by Excel as GBK
    assert "220202200812115075" in lines[1] and ",2024/3/21," in lines[2]
    lines[1] = lines[1].replace("220202200812115075", "220202200812115076", 1)
    lines[2] = lines[2].replace(",2024/3/21,", ",2023/3/21,", 1)
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")


def test_a_good_sample_file_passes_with_its_template_and_rows() -> None:
    result = check_file(AWARDS.name, AWARDS.read_bytes(), Limits(), REGISTRY_2024, only(SCHOOL))
    assert result.accepted
    [sheet] = result.sheets
    assert (sheet.template.key, sheet.template.zh) == ("competition_awards", "技能大赛获奖情况")  # type: ignore[union-attr]
    assert sheet.rows == 9  # the header, 9 awards, then 合计, a blank line and two notes
    assert (sheet.submitter_code, sheet.year, sheet.verdict, sheet.reasons) == (SCHOOL, 2024, PASSED, ())


def test_a_broken_file_gets_the_receipts_reasons_with_the_id_masked() -> None:
    result = check_file("获奖名单v3.csv", broken_awards(), Limits(), REGISTRY_2024, only(SCHOOL))
    assert not result.accepted
    [sheet] = result.sheets
    assert sheet.verdict == "退回，未入库"
    assert sheet.reasons == (
        "第2行 身份证号(id_number)：校验位（最后一位）与前17位不符，请核对 (check_digit)（填写的是「220202********5076」）",
        "第3行 获奖日期(award_date)：应在填报年度之内（填写的是「2023/3/21」）",
    )
    assert not any("220202200812115076" in r for r in result.reasons())


def test_a_school_not_in_the_registry_is_named_as_ingestion_names_it() -> None:
    result = check_file(AWARDS.name, AWARDS.read_bytes(), Limits(), [(2024, OTHER_SCHOOL)], only(SCHOOL))
    assert not result.accepted
    reasons = result.sheets[0].reasons
    assert len(reasons) == 9
    assert reasons[0] == (
        "第2行 学校标识码(school_code)：不在该年度职业院校名录中，请核对学校标识码（名录由市教育局报送）（填写的是「5122020113」）"
    )


def test_another_schools_sheet_is_refused_naming_the_code() -> None:
    result = check_file(AWARDS.name, AWARDS.read_bytes(), Limits(), REGISTRY_2024, only(OTHER_SCHOOL))
    assert not result.accepted
    assert result.sheets[0].reasons == (
        "表中学校标识码 5122020113 不属于您的账号，请只报送本单位（本账号负责范围）的数据 (submitter outside your account)",
    )


def test_a_county_template_names_its_own_code_column() -> None:
    result = check_file(COUNTY_BUDGET.name, COUNTY_BUDGET.read_bytes(), Limits(), REGISTRY_2024, only("220204"))
    assert not result.accepted
    [sheet] = [s for s in result.sheets if s.template is not None]
    assert sheet.template.key == "county_education_budget"  # type: ignore[union-attr]
    assert sheet.reasons[0] == "表中区划代码 220202 不属于您的账号，请只报送本单位（本账号负责范围）的数据 (submitter outside your account)"
    # the county itself may send it
    assert check_file(COUNTY_BUDGET.name, COUNTY_BUDGET.read_bytes(), Limits(), REGISTRY_2024, only("220202")).accepted


def test_a_program_renamed_is_refused_by_its_content() -> None:
    program = Path("/usr/bin/true").read_bytes()
    as_xlsx = check_file("报表.xlsx", program, Limits(), REGISTRY_2024, only(SCHOOL))
    as_csv = check_file("报表.csv", program, Limits(), REGISTRY_2024, only(SCHOOL))
    as_exe = check_file("报表.exe", program, Limits(), REGISTRY_2024, only(SCHOOL))
    assert not (as_xlsx.accepted or as_csv.accepted or as_exe.accepted)
    assert as_xlsx.sheets[0].reasons == (
        "Excel文件已损坏或不是xlsx格式，请重新导出 (corrupt or not an xlsx workbook: Cannot detect file format)",
    )
    assert as_csv.sheets[0].reasons == ("不是文本格式的CSV文件，可能是其他格式的文件改了扩展名 (binary content, not a CSV text file)",)
    assert as_exe.sheets[0].reasons == ("不是可识别的报送文件格式，请使用xlsx、xls或csv文件报送 (unsupported file type)",)


def test_an_oversized_file_is_refused_unread_with_ingestions_reason() -> None:
    result = check_file(AWARDS.name, b"", Limits(max_file_bytes=1000), REGISTRY_2024, only(SCHOOL), size=5000)
    assert not result.accepted
    assert result.sheets[0].reasons == ("文件大小5000字节，超出系统上限（1000字节），未读取。请拆分后重新报送 (file too large)",)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("../../x.csv", "x.csv"),
        ("..\\..\\windows\\报表.XLSX", "报表.xlsx"),
        ("获奖\x00名单\r\n.csv", "获奖名单.csv"),
        ("exe\u202e.xlsx", "exe.xlsx"),  # a right-to-left override hides the real order of the name
        (".hidden.csv", "hidden.csv"),
        ("a b:c*?.csv", "a_b_c.csv"),
        ("长" * 100 + ".xlsx", "长" * 55 + ".xlsx"),  # 60 characters in all,
    ],
)
def test_names_are_sanitised(given: str, stored: str) -> None:
    assert sanitised_name(given) == stored


def test_an_accepted_file_is_written_inside_the_landing_folder_only(tmp_path: Path) -> None:
    landing = tmp_path / "raw"
    landing.mkdir()
    at = dt.datetime(2026, 12, 7, 9, 30, 5)
    path = write_to_landing(landing, SCHOOL, "../../x.csv", b"a,b\n", at)
    assert path == landing / "portal" / SCHOOL / "20261207-093005_x.csv"
    again = write_to_landing(landing, SCHOOL, "x.csv", b"c,d\n", at)
    assert again.name == "20261207-093005-2_x.csv" and path.read_bytes() == b"a,b\n"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        f"raw/portal/{SCHOOL}/20261207-093005-2_x.csv",
        f"raw/portal/{SCHOOL}/20261207-093005_x.csv",
    ]
    # a code made of dots and slashes cannot climb out; a folder linked outside is refused
    assert landing_path(landing, "../..", "x.csv", at) == landing / "portal" / "unknown" / "20261207-093005_x.csv"
    (tmp_path / "outside").mkdir()
    (landing / "portal" / "5122020121").symlink_to(tmp_path / "outside")
    with pytest.raises(ValueError, match="outside the landing folder"):
        write_to_landing(landing, "5122020121", "x.csv", b"a,b\n", at)
    assert not any((tmp_path / "outside").iterdir())


def test_id_numbers_anywhere_in_a_reason_are_masked() -> None:
    text = "第5行 备注(note)：写的是 22020220081211507X 与 220202081211507，学校 5122020113"
    assert mask_ids(text) == "第5行 备注(note)：写的是 220202********507X 与 220202*****1507，学校 5122020113"


def test_the_page_promises_the_sensors_own_interval() -> None:
    source = (PROJECT_ROOT / "dagster_project/defs/sensors.py").read_text(encoding="utf-8")
    assert re.findall(r"minimum_interval_seconds=(\d+)", source) == [str(SENSOR_INTERVAL_SECONDS)]


def test_a_registry_in_the_same_workbook_is_checked_first_and_replaces_its_year(tmp_path: Path) -> None:
    """As a run does: the 2024 registry sheet of the city's workbook replaces the published 2024
    list, and the workbook's other sheets are checked against it."""
    new_school = "5122029999"
    registry = [REGISTRY_HEADER, [2024, new_school, "吉林市新开职业学校", "220202", "中职", "县属", "否"]]
    lines = list(csv.reader(io.StringIO(AWARDS.read_text(encoding="gb18030"))))
    awards = [lines[0], *[[new_school if c == SCHOOL else c for c in row] for row in lines[1:10]]]
    both = write_xlsx(tmp_path / "both.xlsx", {"名录": registry, "获奖": awards}).read_bytes()
    alone = write_xlsx(tmp_path / "alone.xlsx", {"获奖": awards}).read_bytes()
    city = check_file("both.xlsx", both, Limits(), REGISTRY_2024, lambda code, year: True)
    assert city.accepted and [(s.template.key, s.rows, s.verdict) for s in city.sheets] == [  # type: ignore[union-attr]
        ("school_registry", 1, PASSED),
        ("competition_awards", 9, PASSED),
    ]
    without = check_file("alone.xlsx", alone, Limits(), REGISTRY_2024, lambda code, year: True)
    assert not without.accepted
    assert without.sheets[0].reasons[0] == (
        f"第2行 学校标识码(school_code)：不在该年度职业院校名录中，请核对学校标识码（名录由市教育局报送）（填写的是「{new_school}」）"
    )
    # the school's own 2024 awards beside a registry that no longer lists it: rejected
    lines_old = [lines[0], *lines[1:10]]
    old = write_xlsx(tmp_path / "old.xlsx", {"名录": registry, "获奖": lines_old}).read_bytes()
    assert not check_file("old.xlsx", old, Limits(), REGISTRY_2024, lambda code, year: True).accepted
    # a school may not send the registry: it is the city's (fixed submitter 220200)
    school = check_file("both.xlsx", both, Limits(), REGISTRY_2024, only(new_school))
    assert (
        school.sheets[0].reasons[0]
        == "表中报送单位代码 220200 不属于您的账号，请只报送本单位（本账号负责范围）的数据 (submitter outside your account)"
    )


def test_the_timing_tools_sheet_is_a_valid_award_sheet() -> None:
    """tools/upload_timing.py measures an accepted sheet (a few rows here; the tool asserts it too)."""
    from tools.upload_timing import award_sheet

    result = check_file("获奖名单.xlsx", award_sheet(30), Limits(), REGISTRY_2024, only(SCHOOL))
    assert result.accepted and result.sheets[0].rows == 30
