"""What offices type, and what it means."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dagster_project.core.templates import TEMPLATES
from dagster_project.core.values import normalize_header, parse_date, parse_decimal, parse_int, parse_value
from dagster_project.ingest.parse import recognise

AWARDS = TEMPLATES["competition_awards"]


@pytest.mark.parametrize(
    "cell",
    [
        45413,
        45413.0,
        "45413",
        "2024-05-01",
        "2024/5/1",
        "2024年5月1日",
        "２０２４年５月１日",
        dt.date(2024, 5, 1),
        dt.datetime(2024, 5, 1),
        "2024-05-01 00:00:00",
        "2024.5.1",
    ],
)
def test_every_date_form_of_the_spec(cell: object) -> None:
    assert parse_date(cell) == dt.date(2024, 5, 1)


@pytest.mark.parametrize(("cell", "hint"), [("2024/13/1", "不是有效日期"), ("next week", "应为日期"), (3, "应为日期")])
def test_unreadable_dates_say_why(cell: object, hint: str) -> None:
    with pytest.raises(ValueError, match=hint):
        parse_date(cell)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("12,000", Decimal("12000")),
        ("１２，０００.５", Decimal("12000.5")),
        (1234.5, Decimal("1234.50")),
        ("¥3,000元", Decimal("3000")),
        (" 8 000 ", Decimal("8000")),
    ],
)
def test_numbers_with_thousands_separators(cell: object, value: Decimal) -> None:
    assert parse_decimal(cell) == value


def test_integers_refuse_fractions() -> None:
    assert parse_int("1,200") == 1200
    with pytest.raises(ValueError, match="应为整数"):
        parse_int("12.5")


@pytest.mark.parametrize(
    ("cell", "value"), [("是", True), ("否", False), ("Y", True), ("n", False), ("true", True), ("FALSE", False), (True, True)]
)
def test_yes_no_variants(cell: object, value: bool) -> None:
    column = TEMPLATES["partnership_income"].column("in_budget")
    assert parse_value(column, cell) is value


def test_enumerations_accept_chinese_and_english_and_keep_unknown_text() -> None:
    level = AWARDS.column("competition_level")
    assert parse_value(level, "国家级") == "national"
    assert parse_value(level, "National") == "national"
    assert parse_value(level, "区级") == "区级"  # left for the suite to reject by name
    prize = AWARDS.column("prize")
    assert parse_value(prize, "特等奖") == "special"  # issue 18: ranks above the first prize
    assert parse_value(prize, "优秀奖") == "other"
    assert parse_value(prize, "二等奖") == "second"


def test_codes_written_as_numbers_keep_their_digits() -> None:
    school = AWARDS.column("school_code")
    assert parse_value(school, 4122020001.0) == "4122020001"
    with pytest.raises(ValueError, match="应为10位数字代码"):
        parse_value(school, "412202")


@pytest.mark.parametrize("header", ["收入金额（元）", "收入金额(元)", " income_yuan ", "收入金额 （元）", "*收入金额（元）", "INCOME_YUAN"])
def test_header_spellings_are_one_column(header: str) -> None:
    assert normalize_header(header) in (normalize_header("收入金额"), "income_yuan")


def test_header_recognised_below_title_rows_in_any_order_with_english_keys() -> None:
    rows = [
        ["吉林市2024年县区教育经费统计表"],
        ["填报单位：永吉县"],
        [],
        ["vocational_budget_yuan", "区划代码", " education_budget_yuan ", "年度"],
        [1000, "220221", 5000, 2024],
    ]
    rec = recognise(rows)
    assert rec is not None
    assert rec.template.key == "county_education_budget"
    assert rec.header_row == 3
    assert rec.columns == {0: "vocational_budget_yuan", 1: "county_code", 2: "education_budget_yuan", 3: "year"}


def test_a_header_is_not_guessed_from_shared_columns() -> None:
    assert recognise([["年度", "学校标识码", "备注"], [2024, "4122020001", "x"]]) is None


# Issue 18: words that mean none or pending (submission-templates.md "Words that mean none").
@pytest.mark.parametrize(
    ("column", "cell", "word"),
    [
        ("hr_approval_no", "无", "无"),
        ("hr_approval_no", " 待批 ", "待批"),  # trimmed
        ("hr_approval_no", "审批中", "审批中"),
        ("hr_approval_no", "N/A", "N/A"),
        ("hr_approval_no", "n/a", "n/a"),  # case folded
        ("hr_approval_no", "ＮＡ", "ＮＡ"),  # full-width: NFKC
        ("hr_approval_no", "／", "／"),
        ("hr_approval_no", "——", "——"),
        ("hr_approval_no", "0", "0"),  # a 0 in a text column means none
        ("hr_approval_no", 0, "0"),
        ("hr_approval_no", "无锡培训中心", None),  # a word inside a name is a name
        ("hr_approval_no", "吉市人社〔2024〕1号", None),
        ("paid_yuan", "-", "-"),  # a number column: a dash is none
        ("paid_yuan", "0", None),  # but 0 is a number
        ("paid_yuan", 0, None),
        ("prize", "无", "无"),  # an enumeration is a text column
    ],
)
def test_words_meaning_none(column: str, cell: object, word: str | None) -> None:
    from dagster_project.core.values import none_word

    assert none_word(AWARDS.column(column), cell) == word
