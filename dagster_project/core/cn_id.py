"""The one rule for resident ID numbers (公民身份号码, GB 11643-1999), as submission-templates.md states it.

An ID is accepted when it has 18 characters (17 digits, then a digit or X), its check digit
is right, its birth date is a real date between 1900-01-01 and today, and its area code is
a known code of any era. The area code is never judged by the birth year: an ID keeps the
code of the place where it was first issued, so someone born in 1977 may well hold an ID
starting with 220281 (蛟河市, a code in use only since 1989). That is why this module does
not use ``stdnum.cn.ric``, which demands exactly that (python-stdnum issue 442).

Area codes of any era: python-stdnum's table of administrative divisions (``loc.dat``),
read with the validity periods ignored. Police also issued IDs under codes that GB 2260
never listed (development zones such as 吉林经济技术开发区), so a 6-digit code the table
does not know is still accepted when its first four digits (province and prefecture) are
a known prefecture of any era. A bad province (``99``) or prefecture is rejected.

15-digit first-generation IDs are rejected with their own reason: they ceased to be valid
on 2013-01-01, carry no check digit (a typo cannot be detected), and converting them here
would store a number the person never wrote down; the clerk is asked for the 18-digit one.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path

import stdnum

# GB 11643-1999: weights 2^(17-i) mod 11 for positions 1..17; check = "10X98765432"[sum mod 11].
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH = dt.date(1900, 1, 1)
_SHAPE = re.compile(r"\d{17}[\dX]")

# Reasons, Chinese for the clerk with the English key of the part that is wrong.
LEGACY_15 = "15位旧身份证号已于2013年停止使用，请填写18位身份证号 (length: 15-digit legacy ID)"
BAD_LENGTH = "位数不对：应为18位（17位数字加最后一位数字或X），填写的是{n}位 (length)"
BAD_CHARS = "位数不对：前17位应为数字，最后一位为数字或X (length)"
BAD_CHECK = "校验位（最后一位）与前17位不符，请核对 (check_digit)"
BAD_DATE = "出生日期（第7-14位）不是有效日期 (birth_date)"
DATE_RANGE = "出生日期（第7-14位）应在1900年1月1日到今天之间 (birth_date)"
BAD_AREA = "地区码（前6位）不是有效的行政区划代码 (area_code)"


def check_digit(body17: str) -> str:
    """GB 11643 check character of the first 17 digits."""
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(body17, WEIGHTS, strict=True)) % 11]


@cache
def _area_codes() -> tuple[frozenset[str], frozenset[str]]:
    """(every 6-digit code of any era, every 4-digit province+prefecture of any era) from stdnum's table."""
    path = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    codes: set[str] = set()
    province = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"^(\d\d) province=", line):
            province = m.group(1)
            codes.add(province + "0000")
        elif (m := re.match(r"^\s+(\d{4}) county=", line)) and province:
            codes.add(province + m.group(1))
    return frozenset(codes), frozenset(c[:4] for c in codes)


def known_area(code: str) -> bool:
    """A known 6-digit code of any era, or an unlisted code under a known prefecture."""
    full, prefectures = _area_codes()
    return code in full or code[:4] in prefectures


def id_problems(value: str, today: dt.date | None = None) -> list[str]:
    """Every part of ``value`` that is wrong, as reasons (empty: a valid ID).

    ``value`` is the ID as parsed (no spaces); a lower-case x is accepted.
    """
    text = value.upper()
    if len(text) == 15 and text.isdigit():
        return [LEGACY_15]
    if len(text) != 18:
        return [BAD_LENGTH.format(n=len(text))]
    if not _SHAPE.fullmatch(text):
        return [BAD_CHARS]
    problems: list[str] = []
    if not known_area(text[:6]):
        problems.append(BAD_AREA)
    try:
        birth = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        problems.append(BAD_DATE)
    else:
        if not EARLIEST_BIRTH <= birth <= (today or dt.date.today()):
            problems.append(DATE_RANGE)
    if check_digit(text[:17]) != text[17]:
        problems.append(BAD_CHECK)
    return problems


def is_valid_id(value: object) -> bool:
    return isinstance(value, str) and not id_problems(value)


def id_reason(value: str) -> str:
    """One line for a rejection: the parts that are wrong, joined."""
    return "；".join(id_problems(value))
