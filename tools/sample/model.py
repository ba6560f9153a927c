"""The sample's world: schools, people, partners and their yearly figures.

Everything a submission says is decided here, as rows of canonical values keyed by
the template's English column keys; ``writer`` later dresses them as office files.
Figures are built so that the policy rules (``shared/spec/policy-rules.md``) have
something to find: short appropriations, suspected offsets, duplicate awards …
All randomness comes from one ``random.Random`` passed in, so a seed fixes the world.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from random import Random
from typing import Any

from dagster_project.core.cn_id import known_area
from dagster_project.core.templates import CITY_CODE
from tools.sample import vocab
from tools.sample.regions import County, Division
from tools.sample.writer import Lit

CENT = Decimal("0.01")

# The award standards of 二(七), as a clerk would apply them when filling in a claim.
AWARD_STANDARD: dict[str, tuple[int, int, int]] = {
    "national": (20000, 15000, 12000),
    "provincial": (10000, 8000, 5000),
    "city": (3000, 2000, 1000),
}
PRIZE_INDEX = {"first": 0, "second": 1, "third": 2}


def money(x: float | int | Decimal) -> Decimal:
    """Yuan with two decimals, the way the warehouse stores money."""
    return Decimal(str(x)).quantize(CENT)


def entitled(level: str, organizer: str, prize: str) -> Decimal:
    """Per-person standard of one award row (before the one-award-per-event rule)."""
    if prize not in PRIZE_INDEX:
        return Decimal(0)
    tier = "national" if level == "international" else level
    amount = Decimal(AWARD_STANDARD[tier][PRIZE_INDEX[prize]])
    return money(amount / 2 if organizer == "social" else amount)


# ------------------------------------------------------------------ codes

_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # USCC alphabet (no I O S V Z)


def _gb11714_check(body8: str) -> str:
    """Check character of the 9-character organisation code inside a credit code."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, weights, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def make_credit_code(rng: Random, region: str, kind: str = "91") -> str:
    """A valid GB 32100 unified social credit code registered in ``region``."""
    if rng.random() < 0.5:
        org8 = "MA" + "".join(rng.choice(_ORG_ALPHABET) for _ in range(6))
    else:
        org8 = "".join(rng.choice("0123456789") for _ in range(8))
    body = kind + region + org8 + _gb11714_check(org8)
    return body + _uscc_check(body)


_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _uscc_check(body17: str) -> str:
    """GB 32100 check character (as ``stdnum.cn.uscc``, minus its input cleaning, for speed)."""
    total = sum(_ORG_ALPHABET.index(ch) * w for ch, w in zip(body17, _USCC_WEIGHTS, strict=True))
    return _ORG_ALPHABET[(31 - total) % 31]


def corrupt_check_char(code: str, alphabet: str) -> str:
    """The same code with a wrong last character (what a typo in the last place gives)."""
    last = code[-1]
    i = alphabet.index(last) if last in alphabet else 0
    return code[:-1] + alphabet[(i + 3) % len(alphabet)]


def _ric_check(body17: str) -> str:
    """GB 11643 check digit (stdnum's formula, without its input cleaning: this runs ~10^6 times)."""
    c = (1 - 2 * int(body17, 13)) % 11
    return "X" if c == 10 else str(c)


@cache
def _region_ok(region: str, year: int) -> bool:
    """Whether ``region`` can start a genuine ID of someone born in ``year``: any real code of any
    era will do, since an ID keeps the code of the place where it was first issued. So a
    teacher born in 1977 may hold 220281 (蛟河市, a code since 1989), as real people do; such
    "older code" IDs are what ``stdnum.cn.ric`` wrongly rejects, and the sample must have them."""
    return year >= 1900 and known_area(region)


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    staff: bool


class People:
    """Issues names and valid, unique GB 11643 ID numbers."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self._surnames = list(vocab.SURNAMES)
        self._cum = list(itertools.accumulate(1 / (i + 4) for i in range(len(self._surnames))))

    def name(self) -> str:
        rng = self.rng
        surname = rng.choices(self._surnames, cum_weights=self._cum)[0]
        given = "".join(rng.choice(vocab.GIVEN_CHARS) for _ in range(1 if rng.random() < 0.3 else 2))
        return surname + given

    def id_number(self, regions: list[str], birth: date) -> str:
        """An ID for someone born in one of ``regions`` (the first that is a real code)."""
        rng = self.rng
        for region in regions:
            if not _region_ok(region, birth.year):
                continue
            while True:
                body = f"{region}{birth:%Y%m%d}{rng.randrange(1000):03d}"
                number = body + _ric_check(body)
                if number not in self.used:
                    self.used.add(number)
                    return number
        raise RuntimeError(f"no valid ID region among {regions[:3]} for {birth}")

    def person(self, regions: list[str], birth: date, staff: bool) -> Person:
        return Person(self.name(), self.id_number(regions, birth), staff)


# ------------------------------------------------------------------ schools


@dataclass
class Contract:
    partner: str
    credit_code: str
    cooperation_type: str
    income_category: str
    contract_no: str
    start: date
    end: date
    base_income: Decimal
    in_budget: bool
    allowance: Decimal | None

    def active(self, year: int) -> bool:
        return self.start <= date(year, 12, 31) and self.end >= date(year, 1, 1)


@dataclass
class School:
    code: str
    name: str
    short: str
    county: County
    division: Division
    level: str  # secondary / higher
    sponsor: str  # city / county / private
    theme: str
    has_hs: bool | None
    folder: str  # relative folder under the year folder
    first_year: int
    categories: list[int] = field(default_factory=list)
    students: dict[int, int] = field(default_factory=dict)  # category -> students (evolves by year)
    tuition_rate: dict[int, int] = field(default_factory=dict)
    contracts: list[Contract] = field(default_factory=list)
    students_pool: list[Person] = field(default_factory=list)
    staff_pool: list[Person] = field(default_factory=list)
    extra_per_student: int = 0
    lump_per_student: int = 0

    @property
    def funder(self) -> str | None:
        """Who pays the per-student appropriation: the county, the city (市属) or nobody (民办)."""
        if self.sponsor == "county":
            return self.county.code
        if self.sponsor == "city":
            return self.division.code
        return None

    @property
    def id_regions(self) -> list[str]:
        c = self.county.code
        others = [x.code for x in self.division.counties if x.code != c]
        # Born before a region's code existed (海南 from 1988 …): fall back to an older code.
        return [c, *others[:4], self.division.code, c[:2] + "0000", "110101"]


def _short(name: str) -> str:
    return re.sub(r"(职业技术学院|职业技术教育中心|职业技术学校|职业高级中学|职业学校|学校|学院)$", "", name)


def _div_short(div: Division) -> str:
    return div.name[:-1] if div.name.endswith("市") and len(div.name) > 2 else div.name


class SchoolCodes:
    """MoE-style 10-digit school codes: 41 (高职) / 51 (中职) + prefecture + serial, all unique."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.next: dict[str, int] = {}

    def issue(self, level: str, county: str) -> str:
        prefix = ("41" if level == "higher" else "51") + county[:4]
        n = self.next.get(prefix, self.rng.randrange(1, 60)) + self.rng.randrange(1, 12)
        self.next[prefix] = n
        return f"{prefix}{n:04d}"


def _school(
    rng: Random, codes: SchoolCodes, name: str, county: County, div: Division, level: str, sponsor: str, theme: str, folder: str, first: int
) -> School:
    has_hs = (rng.random() < 0.3) if level == "secondary" and sponsor != "private" else (None if rng.random() < 0.5 else False)
    return School(codes.issue(level, county.code), name, _short(name), county, div, level, sponsor, theme, has_hs, folder, first)


def jilin_city_schools(rng: Random, codes: SchoolCodes, div: Division, years: tuple[int, ...], prefix: str) -> list[School]:
    """The curated Jilin City schools (the city sample's cast), plus one that opens in the last year."""
    by_code = {c.code: c for c in div.counties}
    out = []
    for name, county, level, sponsor, theme in vocab.JILIN_CITY_SCHOOLS:
        folder = f"{prefix}市直/{name}" if sponsor == "city" else f"{prefix}{by_code[county].name}/{name}"
        out.append(_school(rng, codes, name, by_code[county], div, level, sponsor, theme, folder, years[0]))
    if len(years) > 1:
        name, county, level, sponsor, theme = vocab.JILIN_CITY_NEW_SCHOOL
        out.append(_school(rng, codes, name, by_code[county], div, level, sponsor, theme, f"{prefix}市直/{name}", years[-1]))
    return out


def generated_schools(rng: Random, codes: SchoolCodes, div: Division, n: int, first: int, prefix: str) -> list[School]:
    """About ``n`` plausible schools for a prefecture: 市属, one or more per county, some 民办."""
    out: list[School] = []
    names: set[str] = set()
    ds = _div_short(div)
    districts = [c for c in div.counties if c.county_type == "district"] or list(div.counties)
    n_city = max(1, round(n * 0.25))
    n_private = max(0, round(n * 0.13))
    n_county = max(len(div.counties) if n >= len(div.counties) else 1, n - n_city - n_private)

    def add(name: str, county: County, level: str, sponsor: str, theme: str) -> None:
        base, k = name, 2
        while name in names:
            name = base.replace("学校", f"第{k}分校") if "学校" in base else f"{base}（{k}）"
            k += 1
        names.add(name)
        folder = f"{prefix}市直/{name}" if sponsor == "city" else f"{prefix}{county.name}/{name}"
        out.append(_school(rng, codes, name, county, div, level, sponsor, theme, folder, first))

    for i in range(n_city):
        theme = vocab.THEMES[(i * 5 + rng.randrange(3)) % len(vocab.THEMES)]
        higher = i < max(1, n_city // 4)
        suffix = "职业技术学院" if higher else rng.choice(("学校", "职业学校", "职业技术学校", "中等专业学校"))
        add(f"{ds}{vocab.THEME_SCHOOL_WORD[theme]}{suffix}", rng.choice(districts), "higher" if higher else "secondary", "city", theme)
    counties = list(div.counties)
    for i in range(n_county):
        county = counties[i % len(counties)]
        rnd = i // len(counties)
        theme = rng.choice(vocab.THEMES)
        higher = rng.random() < 0.03
        if higher:
            name = f"{county.name}{vocab.THEME_SCHOOL_WORD[theme]}职业技术学院"
        elif rnd == 0:
            name = f"{county.name}职业技术教育中心"
        elif rnd == 1:
            name = f"{county.name}职业高级中学"
        else:
            name = f"{county.name}{vocab.THEME_SCHOOL_WORD[theme]}职业学校"
        add(name, county, "higher" if higher else "secondary", "county", theme)
    for _ in range(n_private):
        higher = rng.random() < 0.2
        word = rng.choice(vocab.PRIVATE_WORDS)
        theme = rng.choice(vocab.THEMES)
        add(
            f"{ds}{word}{'职业技术学院' if higher else '职业技术学校'}",
            rng.choice(districts),
            "higher" if higher else "secondary",
            "private",
            theme,
        )
    return out


# ------------------------------------------------------------------ yearly figures


def setup_school(rng: Random, s: School, people: People, years: tuple[int, ...]) -> None:
    """Fix what stays the same over the years: programmes, tuition, partners, people."""
    themed = list(vocab.THEME_CATEGORIES[s.theme])
    others = [c for c in vocab.PROGRAM_CATEGORIES if c not in themed]
    k = rng.randint(5, 9) if s.level == "higher" else rng.randint(3, 6)
    cats = themed[: min(len(themed), k - 1)] + rng.sample(others, max(1, k - len(themed)))
    s.categories = sorted(set(cats))[:k]
    lo, hi = (150, 1400) if s.level == "higher" else (40, 520)
    for c in s.categories:
        s.students[c] = rng.randint(lo, hi)
        if s.sponsor == "private":
            s.tuition_rate[c] = rng.choice((5000, 6000, 7000, 8500))
        elif s.level == "higher":
            s.tuition_rate[c] = rng.choice((4500, 5000, 5500, 6000))
        else:
            s.tuition_rate[c] = rng.choice((0, 0, 800, 1200, 1600, 2000))
    if s.level == "secondary" and s.sponsor != "private" and all(v == 0 for v in s.tuition_rate.values()):
        s.tuition_rate[s.categories[0]] = 1200
    s.extra_per_student = 0 if rng.random() < 0.7 else rng.choice((100, 200, 300, 500))
    s.lump_per_student = rng.randrange(8000, 10001, 100)
    first = min(years)
    region = s.county.code if s.county.code != s.division.code else s.division.code
    for i in range(rng.randint(3, 7)):
        ctype = rng.choices(list(vocab.COOPERATION_INCOME), (10, 16, 5, 6, 14, 12, 6, 6))[0]
        s.contracts.append(_contract(rng, s, ctype, first, i, region))
    n_students = 30 if s.level == "secondary" else 45
    for _ in range(n_students):
        age = rng.randint(15, 18) if s.level == "secondary" else rng.randint(18, 21)
        birth = date(max(years) - age, rng.randint(1, 12), rng.randint(1, 28))
        s.students_pool.append(people.person(s.id_regions, birth, staff=False))
    for _ in range(12):
        birth = date(rng.randint(1972, 1998), rng.randint(1, 12), rng.randint(1, 28))
        s.staff_pool.append(people.person(s.id_regions, birth, staff=True))


def _company_name(rng: Random, s: School) -> str:
    place = (
        rng.choice(vocab.COMPANY_PLACES)
        if s.division.code == CITY_CODE
        else rng.choice((s.county.name[:2], rng.choice(vocab.PRIVATE_WORDS)))
    )
    trade, form = rng.choice(vocab.COMPANY_TRADES)
    return f"{s.division.name}{place}{trade}{form}"


def _contract(rng: Random, s: School, ctype: str, first: int, i: int, region: str) -> Contract:
    if ctype == "donation":
        partner = rng.choice(vocab.DONORS).format(city=s.division.name)
        code = make_credit_code(rng, region, "53")
        start = date(first - rng.randint(0, 1), rng.randint(1, 12), rng.randint(1, 28))
        end = start + timedelta(days=rng.randint(30, 364))
    else:
        partner = _company_name(rng, s)
        code = make_credit_code(rng, region)
        start = date(first - rng.randint(0, 2), rng.choice((1, 3, 7, 9)), 1)
        years = rng.choice((1, 2, 3))
        end = _add_years(start, years) - timedelta(days=1)
    scale = {
        "industry_college": (100_000, 800_000),
        "production_base": (50_000, 600_000),
        "mixed_ownership": (200_000, 1_000_000),
        "rnd_center": (30_000, 300_000),
        "technical_service": (20_000, 200_000),
        "social_training": (10_000, 150_000),
        "school_enterprise": (50_000, 500_000),
        "donation": (5_000, 100_000),
    }[ctype]
    factor = 0.5 if s.level == "secondary" else 1.0
    income = money(round(rng.uniform(*scale) * factor, -2) + rng.choice((0, 0, 0.5, 0.25)))
    allowance = None
    if ctype in ("production_base", "industry_college", "mixed_ownership") and rng.random() < 0.6:
        allowance = money(round(rng.uniform(10_000, 200_000) * factor, -2))
    in_budget = not (ctype in ("production_base", "social_training", "school_enterprise") and rng.random() < 0.12)
    if rng.random() < 0.5:
        no = f"JX{s.code[-4:]}-{start.year}-{i + 1:03d}"
    else:
        no = f"{s.short[:4]}合字〔{start.year}〕第{rng.randint(1, 40)}号"
    category = rng.choice(vocab.COOPERATION_INCOME[ctype])
    return Contract(partner, code, ctype, category, no, start, end, income, in_budget, allowance)


def _add_years(d: date, n: int) -> date:
    return d.replace(year=d.year + n, day=min(d.day, 28))


def enrollment_rows(rng: Random, s: School, year: int) -> list[dict[str, Any]]:
    """One row per programme category; students drift a little each year."""
    if year > s.first_year:
        for c in s.categories:
            s.students[c] = max(20, round(s.students[c] * rng.uniform(0.92, 1.12)))
    rows = []
    for c in s.categories:
        st = s.students[c]
        exam = None
        if s.level == "secondary" and rng.random() < 0.35:
            exam = round(st * rng.uniform(0.1, 0.45))
        elif rng.random() < 0.2:
            exam = 0
        tuition = money(st * s.tuition_rate[c] * rng.choice((1, 1, 1, 0.98, 0.95)))
        rows.append(
            {
                "year": year,
                "school_code": s.code,
                "program_category": c,
                "program_category_name": vocab.PROGRAM_CATEGORIES[c] if rng.random() < 0.85 else None,
                "students": st,
                "exam_class_students": exam,
                "tuition_income_yuan": tuition,
            }
        )
    return rows


def training_rows(rng: Random, s: School, year: int, labor_share: int | None) -> list[dict[str, Any]]:
    """A school's training programmes; ``labor_share`` fixes its 劳动教育和职业启蒙 pupils (None: none run)."""
    types = ["incumbent_upskilling", "practical_technology", "skill_appraisal", "one_plus_x", "apprenticeship"]
    if s.level == "secondary":
        types.append("exam_prep")
    n = rng.randint(2, 6) if s.level == "secondary" else rng.randint(3, 8)
    chosen = [rng.choice(types) for _ in range(n)]
    if labor_share:
        parts = 1 if labor_share < 400 else 2
        cut = round(labor_share * rng.uniform(0.35, 0.65)) if parts == 2 else labor_share
        shares = [cut, labor_share - cut] if parts == 2 else [labor_share]
    else:
        shares = []
    rows = [_training_row(rng, s, year, "labor_enlightenment", k) for k in shares]
    rows += [_training_row(rng, s, year, t, None) for t in chosen]
    rows.sort(key=lambda r: r["start_date"])
    return rows


def _training_row(rng: Random, s: School, year: int, ttype: str, trainees: int | None) -> dict[str, Any]:
    names, (hlo, hhi), (ilo, ihi) = vocab.TRAINING_PROGRAMMES[ttype]
    company = s.contracts[0].partner if s.contracts else "本地企业"
    brief = re.sub(r"^" + s.division.name + r"|(股份)?有限(责任)?公司$", "", company)
    name = rng.choice(names).format(county=s.county.name, theme=s.theme, company=brief)
    if trainees is None:
        trainees = rng.randint(15, 60) if ttype in ("apprenticeship", "exam_prep") else rng.randint(20, 180)
    hours = rng.randint(hlo, hhi)
    hours_d = Decimal(hours) if rng.random() < 0.85 else Decimal(hours) + Decimal("0.5")
    days = {"labor_enlightenment": 2, "exam_prep": 90, "apprenticeship": 150, "practical_technology": 4}.get(ttype, 20)
    start = date(year, rng.randint(1, 10), rng.randint(1, 28))
    end = min(start + timedelta(days=rng.randint(0, days)), date(year, 12, 31))
    per = rng.randint(ilo, ihi) if ihi else 0
    income = money(trainees * per) if per else Decimal("0.00")
    policy = ttype in ("labor_enlightenment", "practical_technology", "apprenticeship") or rng.random() < 0.3
    return {
        "year": year,
        "school_code": s.code,
        "program_name": name,
        "training_type": ttype,
        "start_date": start,
        "end_date": end,
        "trainees": trainees,
        "hours_per_trainee": hours_d,
        "income_yuan": income,
        "is_policy_project": policy if rng.random() < 0.8 else None,
        "partner_name": company if ttype in ("incumbent_upskilling", "apprenticeship") else None,
    }


def partnership_rows(rng: Random, s: School, year: int) -> list[dict[str, Any]]:
    """Income of the school's contracts active in ``year`` (a new one is signed if none is)."""
    active = [c for c in s.contracts if c.active(year)]
    if not active:
        region = s.county.code
        c = _contract(rng, s, rng.choice(("technical_service", "social_training", "industry_college")), year, len(s.contracts), region)
        c.start, c.end = date(year, 3, 1), date(year + 1, 2, 28)
        s.contracts.append(c)
        active = [c]
    rows = []
    for c in active:
        income = money(c.base_income * Decimal(str(rng.choice((1, 1, 0.9, 1.1, 1.25)))))
        rows.append(
            {
                "year": year,
                "school_code": s.code,
                "partner_name": c.partner,
                "partner_credit_code": c.credit_code,
                "cooperation_type": c.cooperation_type,
                "income_category": c.income_category,
                "contract_no": c.contract_no,
                "contract_start": c.start,
                "contract_end": c.end,
                "income_yuan": income,
                "in_budget": c.in_budget,
                "internship_allowance_yuan": c.allowance,
            }
        )
    return rows


# ------------------------------------------------------------------ awards


@dataclass
class Award:
    """One award won by one or more people (a team award is one row per member)."""

    competition: str
    level: str
    organizer: str
    event: str
    prize: str  # choice value or Lit text (特等奖 …)
    when: date
    members: list[tuple[Person, str]]  # (person, role)


def competitions_for(s: School) -> list[tuple[str, str, str, tuple[int, int], bool]]:
    city, province = s.division.name, s.division.province
    return [(n.format(city=city, province=province), lvl, org, months, teacher) for n, lvl, org, months, teacher in vocab.COMPETITIONS]


def _hr_abbr(s: School) -> str:
    """How the city's HR bureau abbreviates itself in document numbers (吉市人社字 …)."""
    return "吉市" if s.division.code == CITY_CODE else s.division.name[0] + "市"


def random_awards(rng: Random, s: School, year: int) -> list[Award]:
    comps = competitions_for(s)
    weights = (34, 28, 11, 6, 3, 1, 6, 7, 4)
    n = rng.randint(2, 7) if s.level == "secondary" else rng.randint(3, 9)
    out = []
    for _ in range(n):
        name, level, org, (m0, m1), teacher = rng.choices(comps, weights)[0]
        when = date(year, rng.randint(m0, m1), rng.randint(1, 28))
        r = rng.random()
        prize: str = "first" if r < 0.15 else "second" if r < 0.45 else "third" if r < 0.85 else Lit(rng.choice(vocab.OTHER_PRIZES))
        if prize == "其他":
            prize = "other"
        if teacher:
            members = [(p, "teacher") for p in rng.sample(s.staff_pool, rng.randint(1, 3))]
            event = rng.choice(vocab.TEACHER_EVENTS)
        else:
            event = rng.choice(vocab.EVENTS)
            team = rng.random() < 0.4
            members = [(p, "student") for p in rng.sample(s.students_pool, rng.randint(2, 4) if team else 1)]
            if rng.random() < 0.5:
                members += [(p, "instructor") for p in rng.sample(s.staff_pool, rng.randint(1, 2))]
        out.append(Award(name, level, org, event, prize, when, members))
    return out


def world_skills_award(rng: Random, s: School, year: int) -> Award:
    """A 世界技能大赛 medal (international, social): rare, so the city sample gets one on purpose."""
    name, level, org, (m0, m1), _ = next(c for c in competitions_for(s) if c[1] == "international")
    members = [(s.students_pool[-1], "student"), (s.staff_pool[-1], "instructor")]
    return Award(
        name,
        level,
        org,
        rng.choice(vocab.EVENTS),
        rng.choice(("second", "third", Lit("优胜奖"))),
        date(year, rng.randint(m0, m1), rng.randint(1, 28)),
        members,
    )


def event_variant(event: str, k: int) -> str:
    """The same event as another clerk types it: full-width letters/brackets or stray spaces."""
    if k == 0:
        return event
    if k == 1:
        fw = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in event)
        if fw != event:
            return fw
        return event[: len(event) // 2] + " " + event[len(event) // 2 :]
    if k == 2:
        return event[:2] + " " + event[2:] + "\u3000"
    return " " + event


def chain_awards(rng: Random, s: School, year: int, event: str, person: Person, social_event: str | None) -> list[Award]:
    """The same person winning the same event at city, provincial and national level in one year.

    With ``social_event``, also an association (social) national first in another event — the
    worked example of policy rule 1.4.
    """
    comps = {c[1] + "/" + c[2]: c for c in competitions_for(s) if not c[4]}
    out = []
    for k, (key, prize, month) in enumerate(
        (("city/official", "first", 4), ("provincial/official", "second", 5), ("national/official", "third", 7))
    ):
        name, level, org, _, _ = comps[key]
        out.append(Award(name, level, org, event_variant(event, k), prize, date(year, month, rng.randint(1, 28)), [(person, "student")]))
    if social_event:
        name, level, org, _, _ = comps["national/social"]
        out.append(Award(name, level, org, social_event, "first", date(year, 6, rng.randint(1, 28)), [(person, "student")]))
    return out


def award_rows(rng: Random, s: School, year: int, awards: list[Award], unpaid_violation: bool) -> list[dict[str, Any]]:
    """Rows of the awards file, with claims, approvals and payments as schools fill them in.

    ``unpaid_violation`` forces one award paid out without the HR bureau's approval.
    """
    rows = []
    approval_n = rng.randint(3, 60)
    for k, a in enumerate(sorted(awards, key=lambda a: (a.when, a.competition))):
        forced = unpaid_violation and k == 0
        approved = not forced and rng.random() < 0.72
        approval = rng.choice(vocab.HR_APPROVAL_PATTERNS).format(abbr=_hr_abbr(s), year=year, n=approval_n) if approved else None
        for person, role in a.members:
            std = entitled(a.level, a.organizer, a.prize)
            claimed = std
            r = rng.random()
            if std == 0:
                claimed = money(rng.choice((0, 0, 0, 500, 1000)))
            elif r < 0.06:
                claimed = money(std * 2 if a.organizer == "social" else std + 1000)  # over-claim
            elif r < 0.09:
                claimed = Decimal("0.00")  # not yet declared
            paid: Decimal | None = None
            if approved:
                paid = claimed if rng.random() < 0.8 else None
            elif forced or rng.random() < 0.06:
                paid = claimed if claimed > 0 else money(std or 500)
            elif rng.random() < 0.1:
                paid = Decimal("0.00")
            rows.append(
                {
                    "year": year,
                    "school_code": s.code,
                    "person_name": person.name,
                    "id_number": person.id_number,
                    "role": role,
                    "competition_name": a.competition,
                    "competition_level": a.level,
                    "organizer_type": a.organizer,
                    "event_name": a.event,
                    "prize": a.prize,
                    "award_date": a.when,
                    "claimed_yuan": claimed,
                    "hr_approval_no": approval,
                    "paid_yuan": paid,
                }
            )
    return rows


# ------------------------------------------------------------------ teacher recruitment (二(六))

# Which of the rules of policy-rules.md §6 a generated hire breaks (None: a clean hire).
RECRUITMENT_CASES = ("experience", "fresh_graduate", "direct_hire", "plan", "panel")


def recruitment_rows(rng: Random, people: People, s: School, year: int) -> list[dict[str, Any]]:
    """A school's hires of the year: mostly clean, a few breaking one rule of 二(六) each, with
    the clean edges real schools have (a certificate holder with 1 year, a 双师型 normal graduate
    hired fresh, a panel of exactly 2/3, exactly 3 years) and part-time teachers (no rule)."""
    n = rng.randint(0, 3) if s.level == "secondary" else rng.randint(1, 5)
    plan_n = rng.randint(2, 40)
    rows: list[dict[str, Any]] = []
    for _ in range(n):
        ttype = rng.choices(("professional", "general", "part_time"), weights=(0.55, 0.3, 0.15))[0]
        case = rng.choice(RECRUITMENT_CASES) if ttype != "part_time" and rng.random() < 0.2 else None
        direct = case == "direct_hire" or (ttype != "part_time" and rng.random() < 0.08)
        education = rng.choices(("associate", "bachelor", "master"), weights=(0.2, 0.6, 0.2))[0]
        years = Decimal(rng.choice((3, 3, 4, 5, 6, 8, 10, 12))) if ttype == "professional" else Decimal(rng.randint(0, 5))
        fresh, dual, cert, talent = False, None, None, None
        edge = rng.random()
        if ttype == "professional" and not direct and case is None and edge < 0.15:
            years, cert = Decimal(1), rng.choice(vocab.SKILL_CERTIFICATES)
        elif ttype == "professional" and not direct and case is None and edge < 0.25:
            years, fresh, dual = Decimal(0), True, True
        if direct:
            education = "doctor" if rng.random() < 0.5 else education
            talent = (
                None
                if case == "direct_hire"
                else ("urgent_doctor" if education == "doctor" else rng.choice(("technician", "senior_technician", "expert")))
            )
        if case == "experience":
            years = Decimal(rng.choice((1, 2))) + Decimal("0.5") * rng.randint(0, 1)
            ttype = "professional"
            direct, talent = False, None
        elif case == "fresh_graduate":
            ttype, years, fresh, dual = "professional", Decimal(0), True, False
            cert = rng.choice(vocab.SKILL_CERTIFICATES)  # passes experience: only the fresh-graduate rule is broken
        part = ttype == "part_time"
        plan = None if part else vocab.RECRUITMENT_PLAN_PATTERN.format(year=year, n=plan_n)
        filing = None if part or case == "plan" else vocab.RECRUITMENT_FILING_PATTERN.format(year=year, n=plan_n + 3)
        size, related = (None, None) if part or direct else rng.choice(((3, 2), (5, 4), (6, 4), (7, 5)))
        if case == "panel":
            size, related = 5, 3  # 3 × 3 = 9 < 10
        birth = date(year - (22 if fresh else rng.randint(26, 50)), rng.randint(1, 12), rng.randint(1, 28))
        person = people.person(s.id_regions, birth, staff=True)
        rows.append(
            {
                "year": year,
                "school_code": s.code,
                "person_name": person.name,
                "id_number": person.id_number,
                "teacher_type": ttype,
                "recruitment_method": "direct" if direct else "open",
                "education": education,
                "enterprise_years": years,
                "fresh_graduate": fresh,
                "dual_teacher_normal_graduate": dual,
                "skill_certificate": cert,
                "talent_category": talent,
                "plan_approval_no": plan,
                "hr_filing_no": filing,
                "panel_size": size,
                "panel_related_teachers": related,
                "hire_date": date(year, rng.choice((3, 7, 8, 9)), rng.randint(1, 28)),
            }
        )
    return rows
