"""County-level divisions for each sample scale.

Jilin City's divisions come from the project's own seed ``ref_counties.csv`` (so the
sample can never disagree with what the pipeline accepts). The province and
national scales need thousands more: rather than invent codes, they are read from
python-stdnum's table of administrative divisions (``stdnum/cn/loc.dat``), so they
are real, current codes and every ID number built on them passes
``stdnum.cn.ric``'s birth-place check. Those extra codes are not in
``ref_counties.csv``; the generator returns them so the caller can register them.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import stdnum

from dagster_project.core.settings import SEEDS_DIR
from dagster_project.core.templates import CITY_CODE

JILIN_PROVINCE = "22"
# Provinces without mainland statistical reporting.
_SKIP_PROVINCES = {"71", "81", "82"}
_SKIP_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖县级行政单位", "市区", "矿区"}


@dataclass(frozen=True)
class County:
    """One county-level (or prefecture-level) division, shaped like a ``ref_counties.csv`` row."""

    code: str
    name: str
    county_type: str  # city / district / county / county_city (as in ref_counties.csv)

    @property
    def is_prefecture(self) -> bool:
        return self.county_type == "city"


@dataclass(frozen=True)
class Division:
    """A prefecture (or direct-controlled municipality) and the counties under it."""

    code: str
    name: str
    province: str  # province name, for folder names at the national scale
    counties: tuple[County, ...]

    @property
    def as_county(self) -> County:
        return County(self.code, self.name, "city")


def _county_type(code: str, name: str) -> str:
    if code.endswith("00"):
        return "city"
    if name.endswith("区"):
        return "district"
    if code[4] in "89" and name.endswith("市"):
        return "county_city"
    return "county"


@cache
def _stdnum_current() -> tuple[dict[str, str], dict[str, str]]:
    """(province code -> name, 6-digit code -> current name) from stdnum's division table."""
    path = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    provinces: dict[str, str] = {}
    current: dict[str, str] = {}
    prov = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := re.match(r'^(\d\d) province="(.*)"', line):
            prov = m.group(1)
            provinces[prov] = m.group(2)
            continue
        m = re.match(r'^\s+(\d{4}) county="(.*)"', line)
        if not m or prov in _SKIP_PROVINCES:
            continue
        last = m.group(2).split(",")[-1]
        if mm := re.match(r"\[(\d*)-(\d*)\](.*)", last):
            if mm.group(2):  # abolished
                continue
            last = mm.group(3)
        current[prov + m.group(1)] = last
    return provinces, current


def jilin_city() -> Division:
    """Jilin City exactly as the project's seed lists it."""
    rows = list(csv.DictReader((SEEDS_DIR / "ref_counties.csv").open(encoding="utf-8")))
    city = next(r for r in rows if r["county_code"] == CITY_CODE)
    counties = tuple(County(r["county_code"], r["county_name"], r["county_type"]) for r in rows if r["county_code"] != CITY_CODE)
    return Division(CITY_CODE, city["county_name"], "吉林省", counties)


def divisions(province_codes: tuple[str, ...] | None) -> list[Division]:
    """Prefectures with their current counties, for the given provinces (None = all).

    Jilin City is always taken from the seed. A county whose prefecture code is not
    itself a division (省直辖县 such as 湖北 仙桃) hangs under its province code.
    """
    provinces, current = _stdnum_current()
    jc = jilin_city()
    out: dict[str, Division] = {}
    members: dict[str, list[County]] = {}
    for code, name in sorted(current.items()):
        p = code[:2]
        if province_codes is not None and p not in province_codes:
            continue
        if code.endswith("0000") or name in _SKIP_NAMES:
            continue
        if code[:4] == CITY_CODE[:4]:
            continue
        if code.endswith("00"):
            members.setdefault(code, [])
            continue
        pref = code[:4] + "00"
        if pref not in current or current[pref] in _SKIP_NAMES:
            pref = p + "0000"
        members.setdefault(pref, []).append(County(code, name, _county_type(code, name)))
    for pref, counties in sorted(members.items()):
        if not counties:
            # A prefecture without county-level divisions (东莞, 中山 …): it is its own only county.
            counties = [County(pref, current[pref], "city")]
        out[pref] = Division(pref, current[pref], provinces[pref[:2]], tuple(counties))
    if province_codes is None or JILIN_PROVINCE in province_codes:
        out[CITY_CODE] = jc
    return [out[k] for k in sorted(out)]
