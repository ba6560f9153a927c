"""The ID rule (submission-templates.md, Codes) checked against GB 11643-1999 itself.

Check digits are computed here by hand from the standard (weights 2^(17-i) mod 11, then
"10X98765432"), never with the code under test or python-stdnum. The area codes are real
Jilin City codes whose county became a county-level city after the holders' birth years:
their IDs are genuine even though stdnum's ``cn.ric`` rejects them.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dagster_project.core import cn_id
from dagster_project.core.keys import text_key

GB11643_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
assert [2 ** (17 - i) % 11 for i in range(17)] == GB11643_WEIGHTS  # the standard's definition


def gb11643(body17: str) -> str:
    """The full ID: body and check character, ISO 7064 MOD 11-2 as GB 11643 gives it."""
    return body17 + "10X98765432"[sum(int(d) * w for d, w in zip(body17, GB11643_WEIGHTS, strict=True)) % 11]


TODAY = dt.date(2026, 11, 29)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("22028119770315123", "蛟河市 220281 (code since 1989), born 1977"),
        ("22028319850601002", "舒兰市 220283 (since 1992), born 1985"),
        ("22028419900101003", "磐石市 220284 (since 1995), born 1990"),
        ("22020219000101004", "born 1900-01-01, the earliest date allowed"),
        ("22022119600229005", "born on 29 February of a leap year"),
        ("22027119950101006", "an unlisted code under a known prefecture (development zone)"),
        ("11010519491001001", "北京 朝阳区"),
    ],
)
def test_genuine_ids_are_accepted(body: str, why: str) -> None:
    number = gb11643(body)
    assert cn_id.id_problems(number, TODAY) == [], why


def test_the_sample_body_has_check_digit_x_and_lower_case_is_accepted() -> None:
    # 22020219900307006: weighted sum 189, 189 mod 11 = 2 -> "X"
    number = gb11643("22020219900307006")
    assert number.endswith("X")
    assert cn_id.id_problems(number.lower(), TODAY) == []


def test_15_digit_legacy_ids_are_rejected_with_their_own_reason() -> None:
    assert cn_id.id_problems("220202770315123", TODAY) == [
        "15位旧身份证号已于2013年停止使用，请填写18位身份证号 (length: 15-digit legacy ID)"
    ]


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (gb11643("22028119770315123")[:-1], ["位数不对：应为18位（17位数字加最后一位数字或X），填写的是17位 (length)"]),
        (gb11643("22028119770315123") + "1", ["位数不对：应为18位（17位数字加最后一位数字或X），填写的是19位 (length)"]),
        ("2202811977031512A4", ["位数不对：前17位应为数字，最后一位为数字或X (length)"]),
        (gb11643("22020219900230123"), ["出生日期（第7-14位）不是有效日期 (birth_date)"]),
        (gb11643("22020220270101123"), ["出生日期（第7-14位）应在1900年1月1日到今天之间 (birth_date)"]),
        (gb11643("22020218991231123"), ["出生日期（第7-14位）应在1900年1月1日到今天之间 (birth_date)"]),
        (gb11643("99020219900101123"), ["地区码（前6位）不是有效的行政区划代码 (area_code)"]),
        (gb11643("22990119900101123"), ["地区码（前6位）不是有效的行政区划代码 (area_code)"]),
    ],
)
def test_each_wrong_part_is_named(number: str, expected: list[str]) -> None:
    assert cn_id.id_problems(number, TODAY) == expected


def test_a_wrong_check_digit_is_named() -> None:
    good = gb11643("22028119770315123")
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert cn_id.id_problems(wrong, TODAY) == ["校验位（最后一位）与前17位不符，请核对 (check_digit)"]
    # a typo inside the body (not in the check digit) is caught by the check digit too
    typo = good[:14] + str((int(good[14]) + 1) % 10) + good[15:]
    assert cn_id.id_problems(typo, TODAY) == ["校验位（最后一位）与前17位不符，请核对 (check_digit)"]


def test_several_wrong_parts_are_all_named() -> None:
    number = gb11643("99020219900230123")
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert cn_id.id_reason(wrong) == (
        "地区码（前6位）不是有效的行政区划代码 (area_code)；出生日期（第7-14位）不是有效日期 (birth_date)"
        "；校验位（最后一位）与前17位不符，请核对 (check_digit)"
    )


def test_text_key_is_nfkc_casefolded_without_white_space() -> None:
    kangxi = "\u2f2f业机器\u2f08技术应\u2f64"  # ⼯ ⼈ ⽤ as PDF copy-paste gives them
    assert kangxi == "⼯业机器⼈技术应⽤"
    assert text_key(kangxi) == "工业机器人技术应用"
    assert text_key("工业机器人\u3000技术\u00a0应用 \t") == "工业机器人技术应用"
    assert text_key("Ｗｅｂ前端开发") == text_key("WEB 前端开发") == "web前端开发"
    assert text_key("ＨＴ－２０２４－０１") == text_key("ht-2024-01")
