"""Ingestion end to end on small folders: clutter tolerated, bad sheets rejected whole with
the reasons a clerk reads, versions kept, nothing lost and nothing parsed twice."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from stdnum.cn import ric, uscc

from dagster_project.core.pii import PiiKeyError, check_key
from dagster_project.core.settings import DEV_PII_KEY, Settings
from dagster_project.store import load as pipeline
from tests.conftest import SCHOOL_A, SCHOOL_B, hmac_key, query, registry_rows, write_csv, write_xlsx


def id_number(body17: str = "22020219900101123") -> str:
    return body17 + ric.calc_check_digit(body17 + "0")  # stdnum expects a placeholder check digit


def gb11643(body17: str) -> str:
    """An ID with its check digit computed by hand from GB 11643 (not by the code under test)."""
    weights = [2 ** (17 - i) % 11 for i in range(len(body17))]
    return body17 + "10X98765432"[sum(int(d) * w for d, w in zip(body17, weights, strict=True)) % 11]


def mask(number: str) -> str:
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def credit_code(body17: str = "91220200MA0Y12345") -> str:
    return body17 + uscc.calc_check_digit(body17)


GOOD_ID = id_number()
BAD_ID = GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1")
GOOD_USCC = credit_code()
BAD_USCC = GOOD_USCC[:-1] + ("A" if GOOD_USCC[-1] != "A" else "B")

AWARD_HEADER = [
    "年度",
    "学校标识码",
    "姓名",
    "身份证号",
    "人员类别",
    "大赛名称",
    "大赛级别",
    "主办方类型",
    "赛项名称",
    "获奖等级",
    "获奖日期",
    "申报奖励金额（元）",
    "人社局批准文号",
    "已发放金额（元）",
]
TRAINING_HEADER = [
    "年度",
    "学校标识码",
    "培训项目名称",
    "培训类型",
    "开始日期",
    "结束日期",
    "培训人数",
    "人均学时",
    "培训收入（元）",
    "是否政策性培训项目",
    "合作机构",
]
ENROLL_HEADER = ["年度", "学校标识码", "专业大类代码", "专业大类名称", "在校生数", "其中：职教高考班学生数", "学费收入（元）"]
PARTNER_HEADER = [
    "年度",
    "学校标识码",
    "合作单位名称",
    "统一社会信用代码",
    "合作类型",
    "收入类别",
    "合同编号",
    "合作开始日期",
    "合作结束日期",
    "收入金额（元）",
    "是否纳入单位预算",
    "实习津贴（元）",
]


def award(**over: object) -> list[object]:
    row: dict[str, object] = {
        "年度": 2024, "学校标识码": SCHOOL_A, "姓名": "张三", "身份证号": GOOD_ID, "人员类别": "学生",
        "大赛名称": "全国职业院校技能大赛", "大赛级别": "国家级", "主办方类型": "职业院校技能大赛", "赛项名称": "工业机器人技术应用",
        "获奖等级": "三等奖", "获奖日期": dt.date(2024, 6, 1), "申报奖励金额（元）": "12,000", "人社局批准文号": "吉市人社〔2024〕12号", "已发放金额（元）": 12000,
    }  # fmt: skip
    short = {h.removesuffix("（元）"): h for h in AWARD_HEADER}
    for k, v in over.items():
        row[short[k]] = v
    return [row[h] for h in AWARD_HEADER]


def statuses(settings: Settings) -> list[tuple[str, str | None, str]]:
    return [tuple(r) for r in query(settings, "SELECT source_file, sheet, status FROM audit.submissions ORDER BY receipt_seq")]  # type: ignore[misc]


def reasons_of(settings: Settings, source_file: str) -> list[str]:
    rows = query(settings, "SELECT reasons FROM audit.submissions WHERE source_file = ? ORDER BY receipt_seq DESC LIMIT 1", [source_file])
    return rows[0][0].split("\n") if rows and rows[0][0] else []


@pytest.fixture
def registered(city):  # type: ignore[no-untyped-def]
    write_xlsx(city.raw / "名录" / "2024年职业院校名录.xlsx", {"名录": [["吉林市2024年职业院校名录"], *registry_rows(2024)]})
    return city


# -- clutter ---------------------------------------------------------------------------


def test_clutter_is_tolerated_in_xlsx(registered) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["吉林市2024年职业院校技能大赛获奖情况统计表"],
        ["填报单位：吉林市昌邑区职业技术学校", None, None, "填报日期：2024年12月"],
        [f" {h} " for h in AWARD_HEADER[:11]] + ["申报奖励金额(元)", "人社局批准文号", "已发放金额（元）"],
        [],
        award(),
        award(姓名="李四", 身份证号=id_number("22020220000202002"), 获奖日期=45444, 获奖等级="特等奖", 已发放金额=None),
        award(姓名="王五", 身份证号=id_number("22020219850303003"), 人员类别="指导教师", 获奖日期="2024年6月2日"),
        [None] * 14,
        ["合计", None, None, None, None, None, None, None, None, None, None, "36,000"],
        ["填表说明：1. 团体奖每名成员填一行；2. 金额单位为元。"],
        ["填表人：赵六", None, "联系电话：0432-1234567"],
    ]
    write_xlsx(registered.raw / "2024年技能大赛获奖统计（终稿）.xlsx", {"获奖情况": rows})
    report = registered()
    assert report.count("loaded") == 2
    stored = query(
        registered.settings,
        "SELECT row_number, prize, award_date, claimed_yuan, paid_yuan, role FROM submissions.competition_awards ORDER BY row_number",
    )
    assert stored == [
        (5, "third", dt.date(2024, 6, 1), Decimal("12000.00"), Decimal("12000.00"), "student"),
        (6, "special", dt.date(2024, 6, 1), Decimal("12000.00"), None, "student"),  # 特等奖 (issue 18)
        (7, "third", dt.date(2024, 6, 2), Decimal("12000.00"), Decimal("12000.00"), "instructor"),
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_are_detected(registered, encoding: str) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["吉林市昌邑区职业技术学校2024年培训开展情况"],
        TRAINING_HEADER,
        [
            2024,
            SCHOOL_A,
            "中小学生职业体验营（木工、烹饪）",
            "劳动教育和职业启蒙",
            "2024/5/1",
            "2024年5月3日",
            "1,200",
            8,
            "0",
            "是",
            "昌邑区实验小学",
        ],
        [2024, SCHOOL_A, "数控车工技能提升", "在岗职工技能提升", "2024-09-01", "2024-09-30", 40, "64", "48,000.00", "N", ""],
    ]
    write_csv(registered.raw / "培训.csv", rows, encoding)
    registered()
    assert query(
        registered.settings,
        "SELECT program_name, trainees, start_date, end_date, is_policy_project FROM submissions.training ORDER BY row_number",
    ) == [
        ("中小学生职业体验营（木工、烹饪）", 1200, dt.date(2024, 5, 1), dt.date(2024, 5, 3), True),
        ("数控车工技能提升", 40, dt.date(2024, 9, 1), dt.date(2024, 9, 30), False),
    ]


def test_every_sheet_of_a_workbook_stands_alone(registered) -> None:  # type: ignore[no-untyped-def]
    write_xlsx(
        registered.raw / "昌邑职校2024报表.xlsx",
        {
            "在校生": [ENROLL_HEADER, [2024, SCHOOL_A, "46", "装备制造大类", 320, 40, "960,000"]],
            "培训": [
                TRAINING_HEADER,
                [2024, SCHOOL_A, "电工", "新型学徒制", dt.date(2024, 3, 1), dt.date(2024, 4, 1), 30, 100, 0, "否", None],
            ],
            "Sheet3": [],
        },
    )
    registered()
    assert statuses(registered.settings)[1:] == [
        ("昌邑职校2024报表.xlsx", "在校生", "loaded"),
        ("昌邑职校2024报表.xlsx", "培训", "loaded"),
        ("昌邑职校2024报表.xlsx", "Sheet3", "unrecognised"),
    ]


# -- rejections ------------------------------------------------------------------------


REJECTIONS = [
    (
        "id_check_digit",
        [AWARD_HEADER, award(身份证号=BAD_ID)],
        [
            f"第2行 身份证号(id_number)：校验位（最后一位）与前17位不符，请核对 (check_digit)（填写的是「{BAD_ID[:6]}********{BAD_ID[-4:]}」）"
        ],
    ),
    (
        "id_parts",
        [
            AWARD_HEADER,
            award(身份证号=gb11643("22020219900230123")),
            award(姓名="李四", 身份证号=gb11643("99020219900101123")),
            award(姓名="王五", 身份证号="220202900101123"),
            award(姓名="赵六", 身份证号=gb11643("22020218991231123")),
            award(姓名="钱七", 身份证号=gb11643("2202021990010112")),
        ],
        [
            f"第2行 身份证号(id_number)：出生日期（第7-14位）不是有效日期 (birth_date)（填写的是「{mask(gb11643('22020219900230123'))}」）",
            f"第3行 身份证号(id_number)：地区码（前6位）不是有效的行政区划代码 (area_code)（填写的是「{mask(gb11643('99020219900101123'))}」）",
            "第4行 身份证号(id_number)：15位旧身份证号已于2013年停止使用，请填写18位身份证号 (length: 15-digit legacy ID)（填写的是「220202*****1123」）",
            f"第5行 身份证号(id_number)：出生日期（第7-14位）应在1900年1月1日到今天之间 (birth_date)（填写的是「{mask(gb11643('22020218991231123'))}」）",
            f"第6行 身份证号(id_number)：位数不对：应为18位（17位数字加最后一位数字或X），填写的是17位 (length)（填写的是「{mask(gb11643('2202021990010112'))}」）",
        ],
    ),
    (
        "unknown_enum",
        [AWARD_HEADER, award(大赛级别="区级")],
        [
            "第2行 大赛级别(competition_level)：应为：国际、国家级、省级、市级（或 international、national、provincial、city）（填写的是「区级」）"
        ],
    ),
    (
        "international_needs_social",
        [AWARD_HEADER, award(大赛级别="国际")],
        ["第2行 主办方类型(organizer_type)：国际赛事的主办方类型只能是社会团体(social)（填写的是「职业院校技能大赛」）"],
    ),
    (
        "date_outside_year",
        [AWARD_HEADER, award(获奖日期="2023-12-31")],
        ["第2行 获奖日期(award_date)：应在填报年度之内（填写的是「2023-12-31」）"],
    ),
    (
        "negative_amount",
        [AWARD_HEADER, award(申报奖励金额="-100")],
        ["第2行 申报奖励金额（元）(claimed_yuan)：不能小于0（填写的是「-100」）"],
    ),
    (
        "missing_value",
        [AWARD_HEADER, award(赛项名称=None)],
        ["第2行 赛项名称(event_name)：必填，不能为空"],
    ),
    (
        "bad_date",
        [AWARD_HEADER, award(获奖日期="2024/13/1")],
        ["第2行 获奖日期(award_date)：不是有效日期（填写的是「2024/13/1」）"],
    ),
    (
        "unregistered_school",
        [AWARD_HEADER, award(学校标识码="4122999999")],
        ["第2行 学校标识码(school_code)：不在该年度职业院校名录中，请核对学校标识码（名录由市教育局报送）（填写的是「4122999999」）"],
    ),
    (
        "mixed_years",
        [AWARD_HEADER, award(), award(姓名="李四"), award(年度=2023, 获奖日期="2023-06-01")],
        [
            "第4行 年度(year)：与本表其他行的年度不一致，一个表只能填报一个年度（填写的是「2023」）",
            "第4行 学校标识码(school_code)：不在该年度职业院校名录中，请核对学校标识码（名录由市教育局报送）（填写的是「4122020001」）",
        ],
    ),
    (
        "mixed_submitters",
        [AWARD_HEADER, award(), award(学校标识码=SCHOOL_A), award(学校标识码=SCHOOL_B)],
        ["第4行 学校标识码(school_code)：与本表其他行的学校标识码不一致，一个表只能填报一个单位的数据（填写的是「4122040002」）"],
    ),
    (
        "missing_column",
        [[h for h in AWARD_HEADER if h != "赛项名称"], [v for h, v in zip(AWARD_HEADER, award(), strict=True) if h != "赛项名称"]],
        ["赛项名称(event_name)：缺少必填列，请在表头加上这一列"],
    ),
    (
        "end_before_start",
        [TRAINING_HEADER, [2024, SCHOOL_A, "电工", "新型学徒制", "2024-05-02", "2024-05-01", 30, 100, 0, "否", None]],
        ["第2行 结束日期(end_date)：不能早于开始日期(start_date)（填写的是「2024-05-01」）"],
    ),
    (
        "part_over_whole",
        [ENROLL_HEADER, [2024, SCHOOL_A, "46", "装备制造大类", 30, 40, "90,000"]],
        ["第2行 其中：职教高考班学生数(exam_class_students)：不能大于在校生数(students)（填写的是「40」）"],
    ),
    (
        "duplicate_within_submission",
        [ENROLL_HEADER, [2024, SCHOOL_A, "46", "装备制造大类", 30, 0, 9000], [2024, SCHOOL_A, "46", "装备制造大类", 20, 0, 6000]],
        [
            "第2行 专业大类代码(program_category)：在本表中重复出现，同一专业大类代码只能填一行（填写的是「46」）",
            "第3行 专业大类代码(program_category)：在本表中重复出现，同一专业大类代码只能填一行（填写的是「46」）",
        ],
    ),
    (
        "category_out_of_range",
        [ENROLL_HEADER, [2024, SCHOOL_A, "61", "其他", 30, 0, 9000]],
        ["第2行 专业大类代码(program_category)：应在41到59之间（填写的是「61」）"],
    ),
    (
        "credit_code",
        [
            PARTNER_HEADER,
            [2024, SCHOOL_A, "吉林化纤集团", BAD_USCC, "产业学院", "教育", "HT-1", "2024-01-01", "2026-12-31", "100,000", "是", 0],
        ],
        [
            f"第2行 统一社会信用代码(partner_credit_code)：不是有效的18位统一社会信用代码（位数或校验位不对），请核对（填写的是「{BAD_USCC}」）"
        ],
    ),
    (
        "bad_yes_no",
        [
            PARTNER_HEADER,
            [2024, SCHOOL_A, "吉林化纤集团", GOOD_USCC, "产业学院", "教育", "HT-1", "2024-01-01", "2026-12-31", "100,000", "不确定", 0],
        ],
        ["第2行 是否纳入单位预算(in_budget)：应填 是 或 否（填写的是「不确定」）"],  # 「待定」 is a word meaning pending (issue 18)
    ),
]


@pytest.mark.parametrize(("case", "rows", "expected"), REJECTIONS, ids=[c[0] for c in REJECTIONS])
def test_a_bad_sheet_is_rejected_whole_with_every_reason(registered, case: str, rows: list[list[object]], expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    name = f"{case}.xlsx"
    write_xlsx(registered.raw / name, {"表1": rows})
    registered()
    assert reasons_of(registered.settings, name) == expected
    assert query(registered.settings, "SELECT status FROM audit.submissions WHERE source_file = ?", [name]) == [("rejected",)]
    for table in ("competition_awards", "training", "enrollment", "partnership_income"):
        assert query(registered.settings, f"SELECT count(*) FROM history.{table}") == [(0,)]


def test_unreadable_and_unrecognised_files_are_logged_and_the_run_goes_on(registered) -> None:  # type: ignore[no-untyped-def]
    raw = registered.raw
    good = write_xlsx(raw / "ok.xlsx", {"s": [AWARD_HEADER, award()]})
    (raw / "broken.xlsx").write_bytes(good.read_bytes()[:300])
    (raw / "photo.csv").write_bytes(bytes(range(256)) * 4)
    (raw / "empty.csv").write_bytes(b"")
    write_csv(raw / "会议签到表.csv", [["姓名", "单位", "签到时间"], ["张三", "市教育局", "9:00"]])
    before = {p: p.read_bytes() for p in raw.rglob("*") if p.is_file()}
    registered()
    got = {r[0]: (r[1], r[2]) for r in query(registered.settings, "SELECT source_file, status, reasons FROM audit.submissions")}
    assert got["ok.xlsx"][0] == "loaded"
    assert got["broken.xlsx"][0] == "unreadable"
    assert got["broken.xlsx"][1].startswith("Excel文件已损坏或不是xlsx格式，请重新导出")
    assert got["photo.csv"] == ("unreadable", "不是文本格式的CSV文件，可能是其他格式的文件改了扩展名 (binary content, not a CSV text file)")
    assert got["empty.csv"] == ("unreadable", "文件为空 (empty file)")
    assert got["会议签到表.csv"][0] == "unrecognised"
    assert got["会议签到表.csv"][1].endswith("表中内容：第1行：姓名 | 单位 | 签到时间")  # data rows (names) are not quoted
    assert {p: p.read_bytes() for p in raw.rglob("*") if p.is_file()} == before  # raw files untouched


# -- identity and versions -------------------------------------------------------------


def test_duplicate_then_correction_supersedes_and_keeps_history(registered) -> None:  # type: ignore[no-untyped-def]
    raw = registered.raw
    write_xlsx(raw / "a" / "获奖.xlsx", {"s": [AWARD_HEADER, award()]})
    registered()
    # The same figures again, re-typed in another layout and encoding: a duplicate.
    write_csv(raw / "b" / "获奖(重发).csv", [["标题"], AWARD_HEADER[::-1], award(获奖日期="2024/6/1")[::-1]], "gbk")
    registered()
    # A correction: different claimed amount.
    write_xlsx(raw / "c" / "获奖（更正）.xlsx", {"s": [AWARD_HEADER, award(申报奖励金额=10000)]})
    registered()
    rows = query(
        registered.settings,
        "SELECT source_file, status, version FROM audit.submissions WHERE template = 'competition_awards' ORDER BY receipt_seq",
    )
    assert rows == [("a/获奖.xlsx", "superseded", 1), ("b/获奖(重发).csv", "duplicate", None), ("c/获奖（更正）.xlsx", "loaded", 2)]
    assert query(registered.settings, "SELECT claimed_yuan FROM submissions.competition_awards") == [(Decimal("10000.00"),)]
    assert query(registered.settings, "SELECT version, claimed_yuan FROM history.competition_awards ORDER BY version") == [
        (1, Decimal("12000.00")),
        (2, Decimal("10000.00")),
    ]
    (sup_by,) = query(registered.settings, "SELECT superseded_by FROM audit.submissions WHERE source_file = 'a/获奖.xlsx'")[0]
    assert query(registered.settings, "SELECT source_file FROM audit.submissions WHERE submission_id = ?", [sup_by]) == [
        ("c/获奖（更正）.xlsx",)
    ]


def test_receipt_order_within_one_run_follows_file_times(registered) -> None:  # type: ignore[no-untyped-def]
    raw = registered.raw
    late = write_xlsx(raw / "a_correction.xlsx", {"s": [AWARD_HEADER, award(申报奖励金额=10000)]})
    early = write_xlsx(raw / "z_original.xlsx", {"s": [AWARD_HEADER, award()]})
    os.utime(early, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    os.utime(late, ns=(1_700_000_100_000_000_000, 1_700_000_100_000_000_000))
    registered()
    assert query(
        registered.settings, "SELECT source_file, status FROM audit.submissions WHERE template = 'competition_awards' ORDER BY version"
    ) == [
        ("z_original.xlsx", "superseded"),
        ("a_correction.xlsx", "loaded"),
    ]


def test_a_rejected_correction_leaves_the_current_version(registered) -> None:  # type: ignore[no-untyped-def]
    write_xlsx(registered.raw / "v1.xlsx", {"s": [AWARD_HEADER, award()]})
    registered()
    write_xlsx(registered.raw / "v2.xlsx", {"s": [AWARD_HEADER, award(身份证号=BAD_ID)]})
    registered()
    assert query(
        registered.settings, "SELECT source_file, status FROM audit.submissions WHERE template = 'competition_awards' ORDER BY receipt_seq"
    ) == [
        ("v1.xlsx", "loaded"),
        ("v2.xlsx", "rejected"),
    ]


def test_unchanged_folder_is_not_parsed_again(registered, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    write_xlsx(registered.raw / "a.xlsx", {"s": [AWARD_HEADER, award()]})
    first = registered()
    assert first.files_skipped == 0 and len(first.outcomes) == 2

    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("an unchanged file was read again")

    monkeypatch.setattr(pipeline, "read_sheets", boom)
    second = registered()
    assert (second.files_seen, second.files_skipped, len(second.outcomes)) == (2, 2, 0)
    assert query(registered.settings, "SELECT count(*) FROM audit.submissions") == [(2,)]
    # Touched but identical bytes: still not parsed, no new audit rows.
    os.utime(registered.raw / "a.xlsx")
    assert len(registered().outcomes) == 0


def test_a_sheet_rejected_for_an_unknown_school_is_retried_once_the_registry_arrives(city) -> None:  # type: ignore[no-untyped-def]
    write_xlsx(city.raw / "获奖.xlsx", {"s": [AWARD_HEADER, award()]})
    city()
    assert query(city.settings, "SELECT status FROM audit.submissions") == [("rejected",)]
    write_xlsx(city.raw / "名录.xlsx", {"s": registry_rows(2024)})
    city()
    assert query(city.settings, "SELECT source_file, status FROM audit.submissions ORDER BY receipt_seq") == [
        ("获奖.xlsx", "rejected"),
        ("名录.xlsx", "loaded"),
        ("获奖.xlsx", "loaded"),
    ]


def test_a_file_changed_in_place_is_a_new_version(registered) -> None:  # type: ignore[no-untyped-def]
    path = write_xlsx(registered.raw / "a.xlsx", {"s": [AWARD_HEADER, award()]})
    registered()
    write_xlsx(path, {"s": [AWARD_HEADER, award(申报奖励金额=9000)]})
    registered()
    assert query(
        registered.settings, "SELECT status, version FROM audit.submissions WHERE template='competition_awards' ORDER BY version"
    ) == [
        ("superseded", 1),
        ("loaded", 2),
    ]


# -- personal data ---------------------------------------------------------------------


def test_id_numbers_are_stored_only_as_keyed_hash_and_mask(registered) -> None:  # type: ignore[no-untyped-def]
    write_xlsx(registered.raw / "a.xlsx", {"s": [AWARD_HEADER, award()]})
    registered()
    key, masked = query(registered.settings, "SELECT person_key, id_masked FROM history.competition_awards")[0]
    assert key == hmac_key(GOOD_ID, "test-key")
    assert masked == GOOD_ID[:6] + "********" + GOOD_ID[-4:]
    con_dump = registered.settings.warehouse_path.read_bytes()
    assert GOOD_ID.encode() not in con_dump


def test_development_key_warns_and_production_refuses(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dev = Settings(raw_dir=tmp_path, warehouse_dir=tmp_path, pii_key=DEV_PII_KEY)
    monkeypatch.delenv("VOCWH_ENV", raising=False)
    assert "VOCWH_PII_KEY" in (check_key(dev) or "")
    monkeypatch.setenv("VOCWH_ENV", "production")
    with pytest.raises(PiiKeyError, match="Refusing to run in production without VOCWH_PII_KEY"):
        check_key(dev)
    assert check_key(Settings(raw_dir=tmp_path, warehouse_dir=tmp_path, pii_key="real-secret")) is None


def test_production_run_without_key_refuses_before_touching_anything(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VOCWH_ENV", "production")
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(write_xlsx(tmp_path / "x.xlsx", {"s": registry_rows()}), raw / "x.xlsx")
    settings = Settings(raw_dir=raw, warehouse_dir=tmp_path / "wh", pii_key=DEV_PII_KEY)
    with pytest.raises(PiiKeyError):
        pipeline.run_ingest(settings)
    assert not settings.warehouse_path.exists()


def test_registry_received_after_the_sheets_it_vouches_for_in_small_chunks(city) -> None:  # type: ignore[no-untyped-def]
    """Chunks commit one by one; a sheet checked before the registry arrived is looked at again."""
    awards = write_xlsx(city.raw / "a_获奖.xlsx", {"s": [AWARD_HEADER, award()]})
    registry = write_xlsx(city.raw / "z_名录.xlsx", {"s": registry_rows(2024)})
    os.utime(awards, ns=(1_700_000_000_000_000_000,) * 2)
    os.utime(registry, ns=(1_700_000_100_000_000_000,) * 2)
    report = pipeline.run_ingest(city.settings, chunk_files=1)
    assert [(o.file.rel, o.status) for o in report.outcomes] == [
        ("a_获奖.xlsx", "rejected"),
        ("z_名录.xlsx", "loaded"),
        ("a_获奖.xlsx", "loaded"),
    ]
    assert report.files_skipped == 0
    assert query(city.settings, "SELECT count(*) FROM submissions.competition_awards") == [(1,)]


def test_a_retried_sheet_keeps_its_place_in_receipt_order(city) -> None:  # type: ignore[no-untyped-def]
    """The original waits for the registry; the correction arrives with the registry. When the
    original is finally loaded, the correction (received later) stays the current version."""
    original = write_xlsx(city.raw / "原表.xlsx", {"s": [AWARD_HEADER, award()]})
    os.utime(original, ns=(1_700_000_000_000_000_000,) * 2)
    city()
    correction = write_xlsx(city.raw / "更正.xlsx", {"s": [AWARD_HEADER, award(申报奖励金额=10000)]})
    registry = write_xlsx(city.raw / "名录.xlsx", {"s": registry_rows(2024)})
    os.utime(registry, ns=(1_700_000_100_000_000_000,) * 2)
    os.utime(correction, ns=(1_700_000_200_000_000_000,) * 2)
    city()
    assert query(
        city.settings,
        "SELECT source_file, status FROM audit.submissions WHERE template = 'competition_awards' ORDER BY receipt_seq",
    ) == [("原表.xlsx", "rejected"), ("更正.xlsx", "loaded"), ("原表.xlsx", "superseded")]
    assert query(city.settings, "SELECT claimed_yuan FROM submissions.competition_awards") == [(Decimal("10000.00"),)]
    (superseded_by,) = query(city.settings, "SELECT superseded_by FROM audit.submissions WHERE status = 'superseded'")[0]
    assert query(city.settings, "SELECT source_file FROM audit.submissions WHERE submission_id = ?", [superseded_by]) == [("更正.xlsx",)]
