"""Sample submissions for vocwh: what the offices of a city, a province or the country would send.

``generate()`` writes a landing folder (``raw/`` layout) of .xlsx and .csv files in every
template, for every year asked, dressed with the clutter real offices produce and seeded
with deliberate defects, corrections and duplicates, so the pipeline can be demonstrated
and load-tested without real (personal) data. The committed ``raw/`` is exactly
``generate(raw, scale="city", seed=2024)``; a test keeps it that way.

Same seed, same bytes: all randomness flows from ``random.Random(seed)``, workbooks carry
a fixed creation date, and nothing depends on the clock or on which process wrote a file.

Usage: ``python -m tools.sample.generator --scale city --seed 2024 --out raw --clean``
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import os
import shutil
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from random import Random
from typing import Any

from dagster_project.core.templates import CITY_CODE, TEMPLATES
from tools.sample import vocab
from tools.sample.model import (
    CENT,
    Award,
    People,
    School,
    SchoolCodes,
    award_rows,
    chain_awards,
    corrupt_check_char,
    enrollment_rows,
    entitled,
    generated_schools,
    jilin_city_schools,
    money,
    partnership_rows,
    random_awards,
    recruitment_rows,
    setup_school,
    training_rows,
    world_skills_award,
)
from tools.sample.regions import County, Division, divisions, jilin_city
from tools.sample.writer import FileJob, Lit, SheetJob, SheetStyle, render, write_file

SCALES = ("city", "province", "national")
SUBMISSION_SUFFIXES = (".xlsx", ".csv")

# Citywide 劳动教育和职业启蒙 pupils per year at the city scale (target 5000 a year on average):
# the last year meets the target, the average to date does not.
LABOR_TARGETS = {0: 4300, 1: 5500}

BAD_KINDS: dict[str, tuple[str, str]] = {
    # kind: (what the pipeline should say, in Chinese; the English gist)
    "broken_xlsx": ("文件已损坏，无法打开（xlsx 压缩包被截断）", "unreadable: truncated .xlsx (broken zip)"),
    "binary_csv": ("不是文本表格（二进制内容，扩展名却是 .csv）", "unreadable: binary bytes named .csv"),
    "empty_file": ("空文件（0 字节）", "unreadable: empty file"),
    "unknown_header": ("表头与任何模板都不匹配（一份教职工名单）", "unrecognised: header matches no template"),
    "mixed_years": ("同一工作表混有两个年度(year)", "rejected: sheet mixes two years"),
    "mixed_schools": ("同一工作表混有两所学校的学校标识码(school_code)", "rejected: sheet mixes two submitters"),
    "bad_id_check": ("身份证号(id_number)校验位错误", "rejected: invalid ID-number check digit"),
    "bad_credit_code": ("统一社会信用代码(partner_credit_code)校验位错误", "rejected: invalid credit-code check character"),
    "end_before_start": ("结束日期(end_date)早于开始日期(start_date)", "rejected: end_date before start_date"),
    "unregistered_school": ("学校标识码(school_code)不在该年度职业院校名录中", "rejected: school not in that year's registry"),
    "unknown_enum": ("大赛级别(competition_level)“区级”不是规定的选项", "rejected: unknown enum value"),
    "negative_amount": ("收入金额(income_yuan)为负数", "rejected: negative amount"),
    "duplicate_category": ("专业大类代码(program_category)在同一报表中重复", "rejected: duplicate program_category"),
    "missing_required": ("实际拨付金额(appropriated_yuan)为必填项，未填写", "rejected: missing required value"),
}


# ------------------------------------------------------------------ report


@dataclass
class SheetInfo:
    name: str | None
    template: str | None
    submitter: str | None
    year: int | None
    rows: int


@dataclass
class FileInfo:
    path: str
    format: str
    encoding: str | None
    sheets: list[SheetInfo]
    clutter: tuple[str, ...] = ()
    defect: str | None = None
    role: str = "submission"  # submission | bad | duplicate | correction | superseded


@dataclass
class BadFile:
    path: str
    kind: str
    template: str | None
    reason_zh: str
    reason_en: str
    detail: str = ""


@dataclass
class GenerationReport:
    """What was written: files, sheets, rows per template, defects, and the counties used.

    ``rows_per_template`` counts data rows of good sheets as written (superseded originals and
    duplicate copies included). ``demo_cases`` names the year/code pairs built to trip each
    policy flag, for integration tests of the pipeline.
    """

    out_dir: Path
    scale: str
    seed: int
    years: tuple[int, ...]
    schools: int
    files: list[FileInfo]
    rows_per_template: dict[str, int]
    bad_files: list[BadFile]
    duplicates: list[tuple[str, str]]  # (copy, original)
    corrections: list[tuple[str, str]]  # (correction, original)
    counties: list[County]
    demo_cases: dict[str, list[str]] = field(default_factory=dict)
    bytes_written: int = 0

    @property
    def files_written(self) -> int:
        return len(self.files)

    @property
    def sheets(self) -> int:
        return sum(len(f.sheets) for f in self.files)

    @property
    def clutter_counts(self) -> dict[str, int]:
        c: Counter[str] = Counter()
        for f in self.files:
            c.update(f.clutter)
        return dict(sorted(c.items()))

    def summary(self) -> str:
        kinds = Counter(b.kind for b in self.bad_files)
        lines = [
            f"scale={self.scale} seed={self.seed} years={','.join(map(str, self.years))} schools={self.schools}",
            f"files={self.files_written} sheets={self.sheets} bytes={self.bytes_written:,} counties={len(self.counties)}",
            "rows: " + ", ".join(f"{k}={v:,}" for k, v in self.rows_per_template.items()),
            f"bad files={len(self.bad_files)} ({', '.join(f'{k}×{v}' for k, v in sorted(kinds.items()))})",
            f"duplicates={len(self.duplicates)} corrections={len(self.corrections)}",
        ]
        return "\n".join(lines)


# ------------------------------------------------------------------ the world


@dataclass
class _Ctx:
    """Everything decided so far, passed between the planning steps."""

    rng: Random
    scale: str
    years: tuple[int, ...]
    divisions: list[Division]
    schools: list[School]
    prefix: dict[str, str]  # division code -> folder prefix
    data: dict[tuple[str, int], dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    demo: dict[str, list[str]] = field(default_factory=dict)
    standards: dict[tuple[str, int, str], int | None] = field(default_factory=dict)

    def rows(self, template: str, year: int) -> dict[str, list[dict[str, Any]]]:
        return self.data.setdefault((template, year), {})

    def note(self, case: str, year: int, code: str) -> None:
        self.demo.setdefault(case, []).append(f"{year}/{code}")

    def active(self, year: int) -> list[School]:
        return [s for s in self.schools if s.first_year <= year]


def _division_prefix(scale: str, div: Division) -> str:
    if scale == "city":
        return ""
    if scale == "province":
        return f"{div.name}/"
    return f"{div.province}/" if div.code.endswith("0000") else f"{div.province}/{div.name}/"


def _build_world(rng: Random, scale: str, years: tuple[int, ...]) -> _Ctx:
    if scale == "city":
        divs = [jilin_city()]
    else:
        divs = divisions(("22",) if scale == "province" else None)
    target = {"city": 25, "province": 300, "national": 11000}[scale]
    codes = SchoolCodes(rng)
    prefix = {d.code: _division_prefix(scale, d) for d in divs}
    schools: list[School] = []
    jc = next(d for d in divs if d.code == CITY_CODE)
    schools += jilin_city_schools(rng, codes, jc, years, prefix[CITY_CODE])
    others = [d for d in divs if d.code != CITY_CODE]
    rest = target - len(schools)
    weight = {d.code: 2 + len(d.counties) for d in others}
    total = sum(weight.values()) or 1
    for d in others:
        n = max(2, round(rest * weight[d.code] / total))
        schools += generated_schools(rng, codes, d, n, years[0], prefix[d.code])
    return _Ctx(rng, scale, years, divs, schools, prefix)


def _labor_shares(ctx: _Ctx, year: int) -> dict[str, int]:
    """Pupils at each school's 劳动教育和职业启蒙 programmes (the city total is pinned at the city scale)."""
    rng = ctx.rng
    shares: dict[str, int] = {}
    yi = ctx.years.index(year)
    for div in ctx.divisions:
        cands = [s for s in ctx.active(year) if s.division is div and s.level == "secondary"]
        hosts = [s for s in cands if rng.random() < 0.65] or cands[:1]
        if not hosts:
            continue
        if div.code == CITY_CODE:
            total = LABOR_TARGETS.get(yi, 5500 + 600 * (yi - 1))
            w = [rng.uniform(0.5, 1.5) for _ in hosts]
            ws = sum(w)
            alloc = [max(30, int(total * x / ws)) for x in w]
            alloc[0] += total - sum(alloc)
            shares.update({s.code: a for s, a in zip(hosts, alloc, strict=True)})
        else:
            shares.update({s.code: rng.randint(100, 600) for s in hosts})
    return shares


def _service_income(ctx: _Ctx, year: int, code: str) -> Decimal:
    tr = sum((r["income_yuan"] for r in ctx.rows("training", year).get(code, [])), Decimal(0))
    pi = sum(
        (r["income_yuan"] for r in ctx.rows("partnership_income", year).get(code, []) if r["income_category"] != "donation"), Decimal(0)
    )
    return tr + pi


def _tuition(ctx: _Ctx, year: int, code: str) -> Decimal:
    return sum((r["tuition_income_yuan"] for r in ctx.rows("enrollment", year).get(code, [])), Decimal(0))


def _school_years(ctx: _Ctx) -> None:
    """Enrollment, training, partnership and award rows for every school and year."""
    rng = ctx.rng
    city = ctx.scale == "city"
    for yi, y in enumerate(ctx.years):
        labor = _labor_shares(ctx, y)
        for s in ctx.active(y):
            ctx.rows("enrollment", y)[s.code] = enrollment_rows(rng, s, y)
            ctx.rows("training", y)[s.code] = training_rows(rng, s, y, labor.get(s.code))
            ctx.rows("partnership_income", y)[s.code] = partnership_rows(rng, s, y)
        # Awards: most schools; at the city scale the worked example of rule 1.4 and a
        # full-width variant, plus at least one paid-without-approval, every year.
        active = ctx.active(y)
        winners = [s for s in active if city or rng.random() < 0.7]
        chain_at = {winners[(yi * 3) % len(winners)].code, winners[(yi * 3 + 5) % len(winners)].code} if city else set()
        violation_at = winners[(yi * 7 + 2) % len(winners)].code if city else None
        for s in winners:
            awards: list[Award] = random_awards(rng, s, y)
            if s.code in chain_at or (not city and rng.random() < 0.1):
                event = "工业机器人技术应用" if yi % 2 else "Web前端开发"
                social = "数控车" if s.code == min(chain_at, default="") or not city else None
                student = s.students_pool[0]
                awards += chain_awards(rng, s, y, event, student, social)
                ctx.note("award_same_event_several_levels", y, s.code)
            if city and s is winners[-1] and yi == len(ctx.years) - 1:
                awards.append(world_skills_award(rng, s, y))  # at least one international (social) award
            rows = award_rows(rng, s, y, awards, unpaid_violation=(s.code == violation_at))
            ctx.rows("competition_awards", y)[s.code] = rows
            _note_award_cases(ctx, y, s.code, rows)


def _note_award_cases(ctx: _Ctx, y: int, code: str, rows: list[dict[str, Any]]) -> None:
    """Record which award situations of rule 1 this school-year shows."""
    teams: Counter[tuple[Any, ...]] = Counter()
    for r in rows:
        std = entitled(r["competition_level"], r["organizer_type"], r["prize"])
        if (r["paid_yuan"] or 0) > 0 and not r["hr_approval_no"]:
            ctx.note("award_paid_without_approval", y, code)
        if r["claimed_yuan"] > std:
            ctx.note("award_over_claim", y, code)
        if r["prize"] not in ("first", "second", "third"):
            ctx.note("award_prize_other", y, code)
        if r["competition_level"] == "international":
            ctx.note("award_international", y, code)
        if r["role"] == "student":
            teams[(r["competition_name"], r["event_name"], r["award_date"], r["prize"])] += 1
    if any(n > 1 for n in teams.values()):
        ctx.note("award_team", y, code)


def _pick_demos(ctx: _Ctx) -> dict[tuple[int, str], str]:
    """Which school-years get which funding anomaly (city: each kind at a named school)."""
    rng = ctx.rng
    last, first = ctx.years[-1], ctx.years[0]
    eligible = [s for s in ctx.schools if s.funder and s.first_year == first and not (s.sponsor == "city" and s.level == "higher")]
    demos: dict[tuple[int, str], str] = {}
    if ctx.scale == "city":
        picks = rng.sample(eligible, 8)
        plan = [
            (first, "offset_tuition"),
            (last, "offset_tuition"),
            (last, "short_random"),
            (first, "short_random"),
            (last, "students_mismatch"),
            (last, "yoy_decrease"),
            (last, "no_enrollment"),
            (last, "correction"),
        ]
        for s, (y, kind) in zip(picks, plan, strict=True):
            if kind != "yoy_decrease" or len(ctx.years) > 1:  # a drop needs a previous year
                demos[(y, s.code)] = kind
        # The sum offset goes to the school where tuition + service income is smallest against
        # its expected appropriation, so the figure stays plausible.
        rest = [s for s in eligible if s not in picks]
        best = min(rest, key=lambda s: (_tuition(ctx, last, s.code) + _service_income(ctx, last, s.code)) / max(1, _students(ctx, last, s)))
        demos[(last, best.code)] = "offset_sum"
        return demos
    kinds = ("offset_tuition", "offset_sum", "short_random", "students_mismatch", "no_enrollment", "correction")
    for s in eligible:
        for y in ctx.years:
            r = rng.random()
            if r < 0.012 * len(kinds):
                demos[(y, s.code)] = kinds[int(r / 0.012)]
        if len(ctx.years) > 1 and (last, s.code) not in demos and rng.random() < 0.015:
            demos[(last, s.code)] = "yoy_decrease"
    return demos


def _students(ctx: _Ctx, year: int, s: School) -> int:
    return sum(r["students"] for r in ctx.rows("enrollment", year).get(s.code, []))


def _standard(ctx: _Ctx, funder: str, year: int, s: School) -> int | None:
    """The funder's per-student standard: none yet for 市属高职, 12000 for other 高职, 6000-8000 for 中职."""
    if s.level == "higher":
        return None if s.sponsor == "city" else 12000
    key = (funder, year, "secondary")
    if key not in ctx.standards:
        prev = ctx.standards.get((funder, year - 1, "secondary"))
        if prev is None:
            base = 7000 if funder.endswith("00") else ctx.rng.choice((6000, 6500, 7000, 7500, 8000))
        else:
            base = prev + ctx.rng.choice((0, 0, 200, 500))
        ctx.standards[key] = base
    return ctx.standards[key]


def _far_from(short: Decimal, xs: list[Decimal]) -> bool:
    """True when a shortfall is clearly not one of the incomes (so it does not look like an offset)."""
    return all(x <= 0 or abs(short - x) > max(x * Decimal("0.05"), Decimal(5000)) for x in xs)


def _appropriations(ctx: _Ctx, demos: dict[tuple[int, str], str]) -> None:
    rng = ctx.rng
    for yi, y in enumerate(ctx.years):
        out = ctx.rows("appropriation", y)
        for s in ctx.active(y):
            funder = s.funder
            if funder is None:
                continue
            kind = demos.get((y, s.code))
            if kind == "yoy_decrease":
                ctx.note("yoy_decrease", y, s.code)
            if yi + 1 < len(ctx.years) and demos.get((ctx.years[yi + 1], s.code)) == "yoy_decrease":
                kind = "overfunded"  # the year before a drop
            std = _standard(ctx, funder, y, s)
            students = _students(ctx, y, s)
            if kind == "no_enrollment":
                students = _students(ctx, ctx.years[yi - 1], s) if yi else sum(s.students.values())
                ctx.rows("enrollment", y).pop(s.code, None)
                ctx.note("no_enrollment", y, s.code)
            funded = students
            if std is None:
                per = s.lump_per_student + 150 * yi
                appropriated = money(per * funded)
            else:
                extra = 800 if kind == "overfunded" else 0 if kind == "yoy_decrease" else s.extra_per_student
                appropriated = money((std + extra) * funded)
                expected = money(std * students)
                tuition, service = _tuition(ctx, y, s.code), _service_income(ctx, y, s.code)
                if kind == "offset_tuition" and 0 < tuition < expected:
                    noise = (tuition * Decimal(rng.uniform(-0.003, 0.003))).quantize(CENT)
                    appropriated = expected - tuition + noise
                    ctx.note("offset_suspected_tuition", y, s.code)
                elif kind == "offset_sum" and 0 < tuition + service < expected:
                    appropriated = expected - tuition - service
                    ctx.note("offset_suspected_sum", y, s.code)
                elif kind == "short_random":
                    for _ in range(50):
                        a = money(round(float(expected) * rng.uniform(0.78, 0.95), -2))
                        if _far_from(expected - a, [tuition, service, tuition + service]):
                            appropriated = a
                            ctx.note("short_not_offset", y, s.code)
                            break
                elif kind == "students_mismatch":
                    funded = students + rng.randint(15, 60)
                    appropriated = money(std * funded)
                    ctx.note("students_mismatch", y, s.code)
            r = rng.random()
            paid = (
                date(y, rng.randint(3, 12), rng.randint(1, 28))
                if r < 0.7
                else date(y + 1, rng.randint(1, 3), rng.randint(1, 28))
                if r < 0.85
                else None
            )
            out.setdefault(funder, []).append(
                {
                    "year": y,
                    "funder_code": funder,
                    "school_code": s.code,
                    "standard_per_student_yuan": std,
                    "funded_students": funded,
                    "appropriated_yuan": appropriated,
                    "paid_date": paid,
                }
            )


def _budgets(ctx: _Ctx) -> None:
    """Education budgets of every county and city (from the year before the first), tilted or not."""
    rng = ctx.rng
    submitters: list[County] = []
    for d in ctx.divisions:
        submitters.append(d.as_county)
        submitters += [c for c in d.counties if c.code != d.code]
    not_tilted_forced = {submitters[1].code, submitters[3].code} if ctx.scale == "city" else set()
    for c in submitters:
        if c.is_prefecture:
            e = rng.uniform(2.5e9, 3.5e9) if c.code == CITY_CODE else rng.uniform(1.0e9, 3.0e9)
        elif c.county_type == "district":
            e = rng.uniform(2e8, 6e8)
        else:
            e = rng.uniform(3e8, 9e8)
        v = e * rng.uniform(0.03, 0.09)
        ys = (ctx.years[0] - 1, *ctx.years)
        for i, y in enumerate(ys):
            if i:
                growth = e * rng.uniform(0.02, 0.08)
                share = v / e
                tilted = not (c.code in not_tilted_forced and i == len(ys) - 1) and rng.random() < 0.75
                dv = growth * share * (rng.uniform(1.05, 2.5) if tilted else rng.uniform(-0.5, 0.8))
                e, v = e + growth, v + dv
                if not tilted:
                    ctx.note("budget_not_tilted", y, c.code)
            ctx.rows("county_education_budget", y)[c.code] = [
                {
                    "year": y,
                    "county_code": c.code,
                    "education_budget_yuan": money(round(e, -2)),
                    "vocational_budget_yuan": money(round(v, -2)),
                }
            ]


def _registry(ctx: _Ctx) -> None:
    for y in ctx.years:
        ctx.rows("school_registry", y)[CITY_CODE] = [
            {
                "year": y,
                "school_code": s.code,
                "school_name": s.name,
                "county_code": s.county.code,
                "school_level": s.level,
                "sponsor": s.sponsor,
                "has_comprehensive_hs": s.has_hs,
            }
            for s in ctx.active(y)
        ]


def _city_partnership_demos(ctx: _Ctx) -> None:
    """Make sure the city sample has off-budget income and production bases of exactly and over 3 years."""
    last = ctx.years[-1]
    rows = [r for code, rs in sorted(ctx.rows("partnership_income", last).items()) for r in rs]
    bases = [r for r in rows if r["cooperation_type"] == "production_base"]
    if len(bases) < 2:
        bases = rows[:2]
        for r in bases:
            r["cooperation_type"], r["income_category"] = "production_base", "production"
    a, b = bases[0], bases[1]
    a["contract_start"], a["contract_end"] = date(last - 2, 9, 1), date(last + 1, 9, 1)  # exactly 3 years
    b["contract_start"], b["contract_end"] = date(last - 3, 3, 1), date(last + 2, 2, 28)  # 5 years
    ctx.note("contract_exactly_3y", last, a["school_code"])
    ctx.note("contract_over_3y", last, b["school_code"])
    for y in ctx.years:
        rs = [r for code, x in sorted(ctx.rows("partnership_income", y).items()) for r in x if r["cooperation_type"] != "donation"]
        if not any(not r["in_budget"] for r in rs):
            rs[len(rs) // 2]["in_budget"] = False
    for y in ctx.years:
        for code, rs in ctx.rows("partnership_income", y).items():
            if any(not r["in_budget"] for r in rs):
                ctx.note("off_budget_income", y, code)


# ------------------------------------------------------------------ files


@dataclass
class _Planned:
    job: FileJob
    info: FileInfo


class _Planner:
    """Turns the world's rows into file jobs: folders, names, formats and clutter."""

    def __init__(self, ctx: _Ctx, seed: int) -> None:
        self.ctx = ctx
        self.rng = Random(f"{seed}/files")
        self.paths: set[str] = set()
        self.planned: list[_Planned] = []
        self.by_code = {s.code: s for s in ctx.schools}
        self.county_by_code = {c.code: (c, d) for d in ctx.divisions for c in (*d.counties, d.as_county)}

    # -- naming
    def unique(self, path: str) -> str:
        stem, _, ext = path.rpartition(".")
        k = 2
        while path in self.paths:
            path = f"{stem}({k}).{ext}"
            k += 1
        self.paths.add(path)
        return path

    def file_name(self, kind: str, year: int, short: str = "", county: str = "", suffix: bool = True) -> str:
        base = self.rng.choice(vocab.FILE_NAMES[kind]).format(year=year, short=short, county=county)
        extra = self.rng.choice(vocab.FILE_SUFFIXES)
        return base + extra if suffix and "稿" not in base else base

    def sheet_name(self, template: str | None, year: int) -> str:
        r = self.rng.random()
        if r < 0.45 or template is None:
            return "Sheet1"
        if r < 0.75:
            return TEMPLATES[template].zh[:8]
        return f"{year}年"

    def sheet(self, template: str, rows: list[dict[str, Any]], year: int, submitter_name: str, school: str = "") -> SheetJob:
        title = vocab.TITLE_PATTERNS[template].format(year=year, school=school or submitter_name, submitter=submitter_name)
        sub = self.rng.choice(("单位：元", f"填报时间：{year + 1}年1月", "（金额单位：元）"))
        fill = date(year + 1, 1, self.rng.randint(5, 25))
        return SheetJob(
            self.sheet_name(template, year), template, rows, title=title, subtitle=sub, submitter_name=submitter_name, fill_date=fill
        )

    def add(
        self, folder: str, name: str, fmt: str, sheets: list[SheetJob], role: str = "submission", submitters: list[str] | None = None
    ) -> _Planned:
        path = self.unique(f"{folder}/{name}.{fmt}")
        job = FileJob(path, fmt, sheets)
        infos = []
        for i, sh in enumerate(sheets):
            sub = submitters[i] if submitters else None
            year = sh.rows[0]["year"] if sh.rows and "year" in sh.rows[0] else None
            infos.append(SheetInfo(sh.name if fmt == "xlsx" else None, sh.template, sub, year, len(sh.rows)))
        p = _Planned(job, FileInfo(path, fmt, None, infos, role=role))
        self.planned.append(p)
        return p

    # -- the regular submissions
    def plan(self, demos: dict[tuple[int, str], str]) -> None:
        ctx = self.ctx
        self.correction_targets = []
        self.choose_combined(demos)
        jc_prefix = ctx.prefix[CITY_CODE]
        for y in ctx.years:
            rows = ctx.rows("school_registry", y)[CITY_CODE]
            self.add(
                f"{y}/{jc_prefix}市教育局",
                self.file_name("school_registry", y),
                "xlsx",
                [self.sheet("school_registry", rows, y, "吉林市教育局")],
                submitters=[CITY_CODE],
            )
            self._budgets(y)
            self._appropriations(y)
            for s in ctx.active(y):
                self._school_files(s, y, demos.get((y, s.code)))

    def _county_folder(self, code: str, office: str) -> str:
        c, d = self.county_by_code[code]
        pre = self.ctx.prefix[d.code]
        if c.code == d.code:
            return f"{pre}市{office}"
        return f"{pre}{c.name}/{office}" if self.rng.random() < 0.7 else f"{pre}{c.name}"

    def _name_of(self, code: str) -> str:
        c, d = self.county_by_code[code]
        if code == d.code:
            return d.name
        return c.name if d.code == CITY_CODE or self.ctx.scale == "city" else f"{d.name}{c.name}"

    def _budgets(self, y: int) -> None:
        ctx = self.ctx
        first = y == ctx.years[0]
        for code, rows in sorted(ctx.rows("county_education_budget", y).items()):
            name = self._name_of(code)
            folder = self._county_folder(code, "教育局")
            sheets = [self.sheet("county_education_budget", rows, y, name)]
            if first:
                prev = ctx.rows("county_education_budget", y - 1)[code]
                prev_sheet = self.sheet("county_education_budget", prev, y - 1, name)
                if self.rng.random() < 0.5:
                    prev_sheet.name, sheets[0].name = f"{y - 1}年", f"{y}年"
                    self.add(
                        f"{y}/{folder}",
                        self.file_name("county_education_budget", y, county=name) + f"（{y - 1}-{y}）",
                        "xlsx",
                        [prev_sheet, *sheets],
                        submitters=[code, code],
                    )
                    continue
                self.add(
                    f"{y - 1}/{folder}", self.file_name("county_education_budget", y - 1, county=name), "?", [prev_sheet], submitters=[code]
                )
            self.add(f"{y}/{folder}", self.file_name("county_education_budget", y, county=name), "?", sheets, submitters=[code])

    def _appropriations(self, y: int) -> None:
        for code, rows in sorted(self.ctx.rows("appropriation", y).items()):
            name = self._name_of(code)
            folder = self._county_folder(code, "财政局")
            self.add(
                f"{y}/{folder}",
                self.file_name("appropriation", y, county=name),
                "?",
                [self.sheet("appropriation", rows, y, name)],
                submitters=[code],
            )

    def _school_files(self, s: School, y: int, demo: str | None) -> None:
        ctx, rng = self.ctx, self.rng
        folder = f"{y}/{s.folder}"
        enr = ctx.rows("enrollment", y).get(s.code)
        tr = ctx.rows("training", y).get(s.code)
        combined = (
            enr is not None
            and tr is not None
            and demo != "correction"  # a correction resends the enrollment alone
            and (rng.random() < 0.08 or (ctx.scale == "city" and s.code in self.combined_at(y)))
        )
        if combined:
            sheets = [self.sheet("enrollment", enr, y, s.name, s.name), self.sheet("training", tr, y, s.name, s.name)]
            sheets[0].name, sheets[1].name = "在校生", "培训"
            subs: list[str] = [s.code, s.code]
            extra = self.combined_at(y).get(s.code) if ctx.scale == "city" else rng.choice((None, "empty", "note"))
            if extra == "empty":
                sheets.append(SheetJob("Sheet3", None, cells=[]))
                subs.append("")
            elif extra == "note":
                sheets.append(SheetJob("图表", None, cells=[["图表见附件（统计图已另行报送）"]]))
                subs.append("")
            p = self.add(folder, self.file_name("combined", y, short=s.short), "xlsx", sheets, submitters=subs)
            p.info.sheets = [si if si.template else SheetInfo(si.name, None, None, None, 0) for si in p.info.sheets]
        else:
            if enr is not None:
                p = self.add(
                    folder,
                    self.file_name("enrollment", y, short=s.short),
                    "?",
                    [self.sheet("enrollment", enr, y, s.name, s.name)],
                    submitters=[s.code],
                )
                if demo == "correction":
                    self.correction_targets.append((p, s, y))
            if tr is not None:
                self.add(
                    folder,
                    self.file_name("training", y, short=s.short),
                    "?",
                    [self.sheet("training", tr, y, s.name, s.name)],
                    submitters=[s.code],
                )
        for template in ("partnership_income", "competition_awards"):
            rows = ctx.rows(template, y).get(s.code)
            if rows:
                self.add(
                    folder,
                    self.file_name(template, y, short=s.short),
                    "?",
                    [self.sheet(template, rows, y, s.name, s.name)],
                    submitters=[s.code],
                )

    correction_targets: list[tuple[_Planned, School, int]]
    _combined: dict[int, dict[str, str]]

    def combined_at(self, y: int) -> dict[str, str]:
        """City scale: which schools send enrollment + training in one workbook, and with what extra sheet."""
        return self._combined.get(y, {})

    def choose_combined(self, demos: dict[tuple[int, str], str]) -> None:
        ys = self.ctx.years
        plain = [s for s in self.ctx.schools if s.first_year == ys[0] and not any((y, s.code) in demos for y in ys)]
        self._combined = {ys[0]: {plain[4].code: "empty"}}
        self._combined.setdefault(ys[-1], {}).update({plain[9].code: "note", plain[13].code: ""})


# ------------------------------------------------------------------ added 2026-11


def _added_2026_11(ctx: _Ctx, seed: int) -> None:
    """What the forms of 2026-11 add: teacher hires for every school and year, and the optional
    training column in_budget in the last year's files (older files lack it). A generator of
    its own draws them, so every earlier row, file and figure stays exactly as it was."""
    rng = Random(f"{seed}/2026-11")
    people = People(rng)
    for y in ctx.years:
        for s in ctx.active(y):
            rows = recruitment_rows(rng, people, s, y)
            if rows:
                ctx.rows("teacher_recruitment", y)[s.code] = rows
    for rows in ctx.rows("training", ctx.years[-1]).values():
        for r in rows:
            # mostly declared in the budget; some off-budget (二(三) breached), some left empty
            x = rng.random()
            r["in_budget"] = True if x < 0.75 else False if x < 0.85 else None


def _recruitment_files(planner: _Planner, seed: int) -> None:
    """One recruitment file per school and year with hires, planned after every other file (and
    named by a generator of its own) so that the other files keep their names and styles."""
    ctx = planner.ctx
    rng = Random(f"{seed}/2026-11/files")
    for y in ctx.years:
        for code, rows in sorted(ctx.rows("teacher_recruitment", y).items()):
            s = planner.by_code[code]
            name = rng.choice(vocab.FILE_NAMES["teacher_recruitment"]).format(year=y, short=s.short)
            title = vocab.TITLE_PATTERNS["teacher_recruitment"].format(year=y, school=s.name)
            style = SheetStyle(title_rows=rng.choice((0, 1)), date_style=rng.choice(("iso", "cn", "excel")), seed=rng.randrange(10**6))
            sheet = SheetJob("Sheet1", "teacher_recruitment", rows, style=style, title=title, submitter_name=s.name)
            planner.add(f"{y}/{s.folder}", name, "xlsx", [sheet], submitters=[code])


# ------------------------------------------------------------------ styles


def _stratify(rng: Random, items: list[Any], weights: dict[Any, float]) -> list[Any]:
    """One value per item, each value at least once (when there are enough items), else by weight."""
    keys = list(weights)
    n = len(items)
    if n <= len(keys):
        vals = keys[:n]
    else:
        vals = keys + rng.choices(keys, [weights[k] for k in keys], k=n - len(keys))
    rng.shuffle(vals)
    return vals


def _style_all(planner: _Planner, planned: list[_Planned], seed: int) -> None:
    """Dress every good file: format, encoding, and each sheet's clutter, in office-like proportions."""
    rng = Random(f"{seed}/styles")
    free = [p for p in planned if p.job.fmt == "?"]
    for p, fmt in zip(free, _stratify(rng, free, {"xlsx": 0.66, "csv": 0.34}), strict=True):
        planner.paths.discard(p.job.path)
        p.job.fmt = fmt
        p.job.path = planner.unique(p.job.path[:-1] + fmt)
        p.info.path, p.info.format = p.job.path, fmt
    csvs = [p for p in planned if p.job.fmt == "csv"]
    for p, enc in zip(csvs, _stratify(rng, csvs, {"utf-8": 0.35, "utf-8-sig": 0.25, "gbk": 0.25, "gb18030": 0.15}), strict=True):
        p.job.encoding = enc
        p.info.encoding = enc
        p.info.sheets[0].name = None
    sheets = [(p, sh) for p in planned for sh in p.job.sheets if sh.template]
    for (_, sh), st in zip(sheets, [SheetStyle(seed=rng.getrandbits(31)) for _ in sheets], strict=True):
        sh.style = st

    def dim(items: list[tuple[_Planned, SheetJob]], attr: str, weights: dict[Any, float]) -> None:
        for (_, sh), v in zip(items, _stratify(rng, items, weights), strict=True):
            setattr(sh.style, attr, v)

    dim(sheets, "header_mode", {"zh": 0.56, "half": 0.1, "spaces": 0.1, "nounit": 0.08, "en": 0.08, "mixed": 0.08})
    dim(sheets, "shuffle", {False: 0.85, True: 0.15})
    dim(sheets, "title_rows", {0: 0.35, 1: 0.5, 2: 0.15})
    dim(sheets, "submitter_line", {False: 0.75, True: 0.25})
    dim(sheets, "blank_rows", {False: 0.8, True: 0.2})
    dim(sheets, "notes", {False: 0.75, True: 0.25})
    dim(sheets, "numbers", {"plain": 0.72, "text": 0.1, "thousands": 0.18})
    dim(sheets, "money_2dp", {False: 0.7, True: 0.3})
    dim(sheets, "bool_style", {"zh": 0.7, "yn": 0.15, "tf": 0.15})
    dim(sheets, "enum_style", {"zh": 0.85, "en": 0.08, "alias": 0.07})
    summable = [x for x in sheets if x[1].template not in ("school_registry", "county_education_budget") and len(x[1].rows) >= 2]
    dim(summable, "totals", {None: 0.72, "合计": 0.18, "总计": 0.1})
    xl = [x for x in sheets if x[0].job.fmt == "xlsx"]
    dim(xl, "merge_title", {False: 0.5, True: 0.5})
    dim(xl, "codes_as_numbers", {False: 0.85, True: 0.15})
    dated = [x for x in sheets if x[1].template in ("appropriation", "training", "partnership_income", "competition_awards")]
    dim([x for x in dated if x[0].job.fmt == "xlsx"], "date_style", {"excel": 0.4, "serial": 0.12, "iso": 0.2, "slash": 0.14, "cn": 0.14})
    dim([x for x in dated if x[0].job.fmt == "csv"], "date_style", {"iso": 0.35, "slash": 0.28, "cn": 0.22, "serial": 0.15})
    for p in planned:
        feats: list[str] = [p.job.fmt + (f":{p.job.encoding}" if p.job.fmt == "csv" else "")]
        if len(p.job.sheets) > 1:
            feats.append("multi_sheet")
        if any(sh.template is None and sh.cells == [] for sh in p.job.sheets):
            feats.append("empty_sheet")
        if any(sh.template is None and sh.cells for sh in p.job.sheets):
            feats.append("note_sheet")
        if p.job.path.count("/") >= 3:
            feats.append("nested_folder")
        for sh in p.job.sheets:
            feats += sh.style.features(sh.template)
        p.info.clutter = tuple(dict.fromkeys(feats))


# ------------------------------------------------------------------ defects, duplicates, corrections


class _Defects:
    """Builds the deliberately bad files, each from a real school's rows with one thing wrong."""

    def __init__(self, planner: _Planner, seed: int) -> None:
        self.pl = planner
        self.ctx = planner.ctx
        self.rng = Random(f"{seed}/defects")
        self.bad: list[BadFile] = []
        self.unregistered = 0

    def _style(self, **kw: Any) -> SheetStyle:
        st = SheetStyle(seed=self.rng.getrandbits(31), title_rows=1, date_style="iso")
        for k, v in kw.items():
            setattr(st, k, v)
        return st

    def _file(
        self, kind: str, s: School, y: int, template: str | None, rows: list[dict[str, Any]], fmt: str, name: str, **special: Any
    ) -> _Planned:
        sheet = self.pl.sheet(template, rows, y, s.name, s.name) if template else SheetJob("Sheet1", None, cells=special.pop("cells"))
        sheet.style = self._style(**special.pop("style", {}))
        p = self.pl.add(f"{y}/{s.folder}", name, fmt, [sheet], role="bad", submitters=[s.code])
        p.job.encoding = special.pop("encoding", "utf-8")
        p.info.encoding = p.job.encoding if fmt == "csv" else None
        p.job.special = special.pop("special", None)
        p.info.defect = kind
        return p

    def _row_no(self, p: _Planned, index: int) -> int:
        r = render(p.job.sheets[0], xlsx=p.job.fmt == "xlsx")
        return r.data_rows[index] + 1

    def _record(self, p: _Planned, kind: str, detail: str = "") -> None:
        zh, en = BAD_KINDS[kind]
        tpl = p.job.sheets[0].template if p.job.sheets else None
        self.bad.append(BadFile(p.job.path, kind, tpl, zh, en, detail))

    def _copy(self, template: str, s: School, y: int) -> list[dict[str, Any]]:
        return [dict(r) for r in self.ctx.rows(template, y).get(s.code, [])]

    def make(self, kind: str, s: School, y: int) -> None:
        rng, ctx = self.rng, self.ctx
        draft = rng.choice(("（初稿）", "(1)", "-旧", "_草稿", "（修改前）"))
        if kind == "broken_xlsx":
            p = self._file(kind, s, y, "training", self._copy("training", s, y), "xlsx", f"{y}年培训开展情况{draft}", special="truncate")
            self._record(p, kind)
        elif kind == "binary_csv":
            p = self._file(kind, s, y, None, [], "csv", f"在校生情况{draft}", cells=[], special="binary")
            self._record(p, kind)
        elif kind == "empty_file":
            p = self._file(kind, s, y, None, [], "xlsx", "新建 XLSX 工作表", cells=[], special="empty")
            self._record(p, kind)
        elif kind == "unknown_header":
            people = s.staff_pool[:8]
            cells: list[list[Any]] = [["序号", "姓名", "性别", "职称", "任教专业", "联系电话"]]
            for i, person in enumerate(people, 1):
                cells.append(
                    [
                        i,
                        person.name,
                        "男" if int(person.id_number[16]) % 2 else "女",
                        rng.choice(("讲师", "高级讲师", "助理讲师")),
                        rng.choice(("数控技术", "电子商务", "护理", "会计")),
                        f"1390432{rng.randrange(10000):04d}",
                    ]
                )
            p = self._file(kind, s, y, None, [], rng.choice(("xlsx", "csv")), "教职工名单", cells=cells, encoding="gbk")
            p.info.sheets[0] = SheetInfo(p.info.sheets[0].name, None, None, None, len(cells) - 1)
            self._record(p, kind, "表头：序号、姓名、性别、职称、任教专业、联系电话")
        elif kind == "mixed_years":
            prev = ctx.years[ctx.years.index(y) - 1] if ctx.years.index(y) else y + 1
            rows = self._copy("training", s, y)[:3]
            other = [
                dict(r, year=prev, start_date=_in_year(r["start_date"], prev), end_date=_in_year(r["end_date"], prev))
                for r in self._copy("training", s, y)[:2]
            ]
            rows += other
            p = self._file(kind, s, y, "training", rows, "xlsx", f"{min(y, prev)}-{max(y, prev)}年培训情况汇总")
            self._record(p, kind, f"第{self._row_no(p, 3)}行起年度为 {prev}，其余为 {y}")
        elif kind == "mixed_schools":
            mates = [t for t in ctx.active(y) if t.county is s.county and t is not s and t.code in ctx.rows("enrollment", y)]
            mates.sort(key=lambda t: t.sponsor != s.sponsor)
            mate = mates[0] if mates else next(t for t in ctx.active(y) if t is not s and t.code in ctx.rows("enrollment", y))
            rows = self._copy("enrollment", s, y) + self._copy("enrollment", mate, y)
            p = self._file(kind, s, y, "enrollment", rows, "csv", f"{s.county.name}职业学校在校生汇总", encoding="gb18030")
            self._record(p, kind, f"学校标识码 {s.code}（{s.name}）与 {mate.code}（{mate.name}）在同一表中")
        elif kind == "bad_id_check":
            rows = self._copy("competition_awards", s, y)
            i = len(rows) // 2
            rows[i]["id_number"] = corrupt_check_char(rows[i]["id_number"], "0123456789X")
            p = self._file(kind, s, y, "competition_awards", rows, "xlsx", f"获奖名单{draft}")
            self._record(p, kind, f"第{self._row_no(p, i)}行 {rows[i]['person_name']} 身份证号 {rows[i]['id_number']}")
        elif kind == "bad_credit_code":
            rows = self._copy("partnership_income", s, y)
            rows[0]["partner_credit_code"] = corrupt_check_char(rows[0]["partner_credit_code"], "0123456789ABCDEFGHJKLMNPQRTUWXY")
            p = self._file(kind, s, y, "partnership_income", rows, "csv", f"校企合作收入{draft}", encoding="utf-8-sig")
            self._record(p, kind, f"第{self._row_no(p, 0)}行 {rows[0]['partner_name']} {rows[0]['partner_credit_code']}")
        elif kind == "end_before_start":
            rows = self._copy("training", s, y)
            i = len(rows) - 1
            rows[i]["end_date"] = (
                rows[i]["start_date"].replace(day=1)
                if rows[i]["start_date"].day > 1
                else rows[i]["start_date"].replace(month=max(1, rows[i]["start_date"].month - 1))
            )
            if rows[i]["end_date"] >= rows[i]["start_date"]:
                rows[i]["start_date"], rows[i]["end_date"] = date(y, 6, 20), date(y, 6, 2)
            p = self._file(kind, s, y, "training", rows, "xlsx", f"培训台账{y}{draft}", style={"date_style": "cn"})
            self._record(p, kind, f"第{self._row_no(p, i)}行 开始 {rows[i]['start_date']} 结束 {rows[i]['end_date']}")
        elif kind == "unregistered_school":
            self.unregistered += 1
            if ctx.scale == "city":
                name, county_code = vocab.UNREGISTERED_SCHOOL
                county = next(c for c in s.division.counties if c.code == county_code)
            else:
                county = s.county
                name = f"{county.name}{rng.choice(vocab.PRIVATE_WORDS)}职业培训学校"
            code = f"51{county.code[:4]}9{self.unregistered:03d}"
            tpl = "enrollment"
            rows = [dict(r, school_code=code) for r in self._copy(tpl, s, y)]
            folder = s.folder.rsplit("/", 2)[0] + "/" if s.folder.count("/") >= 2 else ""
            ghost = School(code, name, name, county, s.division, "secondary", "private", "综合", None, f"{folder}{county.name}/{name}", y)
            p = self._file(kind, ghost, y, tpl, rows, "csv", "在校生情况", encoding="utf-8")
            p.info.sheets[0].submitter = code
            self._record(p, kind, f"学校标识码 {code}（{name}）")
        elif kind == "unknown_enum":
            rows = self._copy("competition_awards", s, y)
            i = 0
            rows[i]["competition_level"] = Lit("区级")
            rows[i]["competition_name"] = f"{s.county.name}职业学校技能比赛"
            p = self._file(kind, s, y, "competition_awards", rows, "xlsx", f"{y}年技能大赛获奖统计{draft}")
            self._record(p, kind, f"第{self._row_no(p, i)}行 大赛级别“区级”")
        elif kind == "negative_amount":
            rows = self._copy("partnership_income", s, y)
            i = len(rows) - 1
            rows[i]["income_yuan"] = -rows[i]["income_yuan"]
            p = self._file(kind, s, y, "partnership_income", rows, "xlsx", f"社会服务收入统计{draft}")
            self._record(p, kind, f"第{self._row_no(p, i)}行 收入金额 {rows[i]['income_yuan']}（冲红填成了负数）")
        elif kind == "duplicate_category":
            rows = self._copy("enrollment", s, y)
            dup = dict(rows[0], students=rows[0]["students"] // 3 + 1, exam_class_students=None)
            rows.insert(2, dup)
            p = self._file(kind, s, y, "enrollment", rows, "xlsx", f"在校生情况{draft}")
            self._record(p, kind, f"第{self._row_no(p, 0)}行与第{self._row_no(p, 2)}行 专业大类代码 {dup['program_category']}")
        elif kind == "missing_required":
            funder = s.funder or s.county.code
            rows = [dict(r) for r in ctx.rows("appropriation", y).get(funder, [])] or [
                dict(r) for r in next(iter(ctx.rows("appropriation", y).values()))
            ]
            i = min(1, len(rows) - 1)
            rows[i]["appropriated_yuan"] = None
            fname = self.pl._name_of(rows[0]["funder_code"])
            folder = self.pl._county_folder(rows[0]["funder_code"], "财政局")
            sheet = self.pl.sheet("appropriation", rows, y, fname)
            sheet.style = self._style()
            p = self.pl.add(
                f"{y}/{folder}",
                self.pl.file_name("appropriation", y, county=fname, suffix=False) + draft,
                "csv",
                [sheet],
                role="bad",
                submitters=[rows[0]["funder_code"]],
            )
            p.job.encoding, p.info.encoding, p.info.defect = "gbk", "gbk", kind
            self._record(p, kind, f"第{self._row_no(p, i)}行 学校标识码 {rows[i]['school_code']}")
        else:  # pragma: no cover
            raise ValueError(kind)


def _in_year(d: date, year: int) -> date:
    """The same day in another year (28 February standing in for the 29th)."""
    return d.replace(year=year, day=min(d.day, 28) if d.month == 2 else d.day)


def _plan_defects(planner: _Planner, seed: int, good_files: int) -> list[BadFile]:
    ctx = planner.ctx
    d = _Defects(planner, seed)
    rng = d.rng
    pool = [
        (s, y)
        for y in ctx.years
        for s in ctx.active(y)
        if s.code in ctx.rows("enrollment", y) and s.code in ctx.rows("competition_awards", y)
    ]
    kinds = list(BAD_KINDS)
    if ctx.scale == "city":
        picks = rng.sample(pool, len(kinds))
        targets = list(zip(kinds, picks, strict=True))
    else:
        n = max(len(kinds), round(good_files * 0.015))
        targets = [(kinds[i % len(kinds)], rng.choice(pool)) for i in range(n)]
    for kind, (s, y) in targets:
        d.make(kind, s, y)
    return d.bad


def _plan_versions(planner: _Planner, seed: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Corrections (更正) filed in a folder that sorts later, and an exact copy under another name."""
    ctx = planner.ctx
    rng = Random(f"{seed}/versions")
    corrections = []
    folder = f"{ctx.years[-1] + 1}-03-更正"
    for p, s, y in planner.correction_targets:
        sheet = p.job.sheets[0]
        good_rows = sheet.rows
        typo = [dict(r) for r in good_rows]
        i = max(range(len(typo)), key=lambda k: typo[k]["students"])
        typo[i]["students"] = typo[i]["students"] * 10 + rng.randint(0, 9)
        sheet.rows = typo  # the original, as first sent, has a typo
        p.info.role = "superseded"
        fixed = SheetJob(
            sheet.name,
            "enrollment",
            good_rows,
            style=sheet.style,
            title=sheet.title,
            subtitle=sheet.subtitle,
            submitter_name=sheet.submitter_name,
            fill_date=sheet.fill_date,
        )
        q = planner.add(f"{folder}/{s.name}", f"{y}年在校生及学费收入（更正）", p.job.fmt, [fixed], role="correction", submitters=[s.code])
        q.job.encoding, q.info.encoding, q.info.clutter = p.job.encoding, p.info.encoding, p.info.clutter
        if p.job.fmt == "csv":
            q.info.sheets[0].name = None
        corrections.append((q.job.path, p.job.path))
        ctx.note("corrected_enrollment", y, s.code)
    good = [p for p in planner.planned if p.info.role == "submission" and p.job.sheets[0].template not in (None, "school_registry")]
    n_dup = 1 if ctx.scale == "city" else max(1, len(good) // 300)
    dups = []
    for p in rng.sample(good, n_dup):
        stem = p.job.path.rsplit(".", 1)[0]
        q = planner.add(
            p.job.path.rsplit("/", 1)[0],
            stem.rsplit("/", 1)[1] + rng.choice((" - 副本", "(1)", "_备份")),
            p.job.fmt,
            p.job.sheets,
            role="duplicate",
        )
        q.job.special, q.job.copy_of = "copy", p.job.path
        q.job.encoding, q.info.encoding = p.job.encoding, p.info.encoding
        q.info.sheets = [SheetInfo(si.name, si.template, si.submitter, si.year, si.rows) for si in p.info.sheets]
        q.info.clutter = p.info.clutter
        dups.append((q.job.path, p.job.path))
    return dups, corrections


# ------------------------------------------------------------------ writing

PARALLEL_MIN_JOBS = 400  # below this, forking costs more than it saves
_JOBS: list[FileJob] = []
_OUT: Path = Path()


def _default_sigterm() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _write_range(bounds: tuple[int, int]) -> int:
    return sum(write_file(_OUT, _JOBS[i]) for i in range(*bounds))


def _write_all(out_dir: Path, jobs: list[FileJob], workers: int) -> int:
    """Write every job (in parallel with fork when asked and worth it), then the copies."""
    global _JOBS, _OUT
    for d in sorted({(out_dir / j.path).parent for j in jobs}):
        d.mkdir(parents=True, exist_ok=True)
    direct = [j for j in jobs if j.special != "copy"]
    total = 0
    if workers > 1 and len(direct) > PARALLEL_MIN_JOBS and "fork" in mp.get_all_start_methods():
        _JOBS, _OUT = direct, out_dir
        step = max(50, len(direct) // (workers * 16))
        bounds = [(i, min(i + step, len(direct))) for i in range(0, len(direct), step)]
        # Keep the collector off the inherited heap, so forked workers do not copy it page by page.
        gc.collect()
        gc.freeze()
        try:
            # A normal end closes the pool and lets each worker exit on its own: the context
            # manager would terminate them with SIGTERM, and a Python SIGTERM handler the parent
            # had installed (a test worker that ran a job or a server earlier) is inherited
            # through fork and can swallow it: the join then waits forever (seen once in a
            # full test run). The initializer restores the default handler for the error path.
            pool = mp.get_context("fork").Pool(workers, initializer=_default_sigterm)
            try:
                total = sum(pool.imap_unordered(_write_range, bounds))
            except BaseException:
                pool.terminate()
                raise
            else:
                pool.close()
            finally:
                pool.join()
        finally:
            gc.unfreeze()
            _JOBS = []
    else:
        total = sum(write_file(out_dir, j) for j in direct)
    for j in jobs:
        if j.special == "copy":
            assert j.copy_of is not None
            shutil.copyfile(out_dir / j.copy_of, out_dir / j.path)
            total += (out_dir / j.path).stat().st_size
    # Receipt order is by mtime then path; files arrive in path order, as a git checkout writes them.
    base = time.time_ns()
    for i, j in enumerate(sorted(jobs, key=lambda j: j.path)):
        t = base + i * 1_000_000
        os.utime(out_dir / j.path, ns=(t, t))
    return total


def _clean(out_dir: Path) -> None:
    """Remove earlier submissions and the README from ``out_dir`` (only those), then empty folders."""
    for p in sorted(out_dir.rglob("*"), reverse=True):
        if p.is_file() and (p.suffix.lower() in SUBMISSION_SUFFIXES or p == out_dir / "README.md"):
            p.unlink()
        elif p.is_dir() and not any(p.iterdir()):
            p.rmdir()


# ------------------------------------------------------------------ README


def _readme(report: GenerationReport) -> str:
    r = report
    years = "–".join(map(str, (r.years[0], r.years[-1]))) if len(r.years) > 1 else str(r.years[0])
    out = [
        f"# Sample submissions ({r.scale} scale, seed {r.seed}, {years})",
        "",
        "Generated by `tools/sample/generator.py` — do not edit by hand: a test",
        "(`tests/test_generator.py`) checks that this folder equals a fresh",
        f'`generate(..., scale="{r.scale}", seed={r.seed})`. To rebuild:',
        "",
        "```",
        f"python -m tools.sample.generator --scale {r.scale} --seed {r.seed} --years {','.join(map(str, r.years))} --out raw --clean",
        "```",
        "",
        "All names, ID numbers and credit codes are invented (check digits valid, people fictitious).",
        "",
        "## Contents",
        "",
        f"- {r.schools} schools; {r.files_written} files, {r.sheets} sheets.",
        "- Rows per template (good sheets as written): " + ", ".join(f"{k} {v:,}" for k, v in r.rows_per_template.items()) + ".",
        "",
        "## Deliberately bad files",
        "",
        "Each should be reported and never loaded; the files themselves stay as they are.",
        "",
        "| file | defect | expected rejection | detail |",
        "|---|---|---|---|",
    ]
    for b in r.bad_files:
        out.append(f"| `{b.path}` | {b.kind} | {b.reason_zh} ({b.reason_en}) | {b.detail} |")
    out += ["", "## Versions", ""]
    for copy, orig in r.duplicates:
        out.append(f"- exact duplicate (same content, status `duplicate`): `{copy}` = `{orig}`")
    for corr, orig in r.corrections:
        out.append(f"- correction (更正, supersedes; the original has a typo in 在校生数): `{corr}` replaces `{orig}`")
    out += [
        "",
        "## Not defects",
        "",
        "Clutter the pipeline must tolerate: title rows, 填报单位/日期 lines, blank rows, 合计/总计 rows,",
        "填表说明 notes, `12,000`-style numbers, five date spellings, 是/否 · Y/N · true/false, English",
        "headers, reordered columns, full-width/half-width headers, CSV in UTF-8 (± BOM), GBK and GB18030.",
        "Multi-sheet workbooks may carry an empty sheet or a sheet holding only a note (图表见附件):",
        "",
    ]
    for f in r.files:
        if "empty_sheet" in f.clutter or "note_sheet" in f.clutter:
            out.append(f"- `{f.path}` ({', '.join(s.name or '' for s in f.sheets)})")
    out += ["", "## Cases built for the policy rules", ""]
    for k, v in sorted(r.demo_cases.items()):
        shown = ", ".join(v[:12]) + (f" … ({len(v)} in all)" if len(v) > 12 else "")
        out.append(f"- {k}: {shown}")
    out += ["", "## Clutter counts", "", ", ".join(f"{k} {v}" for k, v in r.clutter_counts.items()), ""]
    return "\n".join(out)


# ------------------------------------------------------------------ entry point


def generate(
    out_dir: Path,
    scale: str = "city",
    seed: int = 2024,
    years: tuple[int, ...] = (2023, 2024),
    counties_out: Path | None = None,
    workers: int | None = None,
    clean: bool = False,
) -> GenerationReport:
    """Write a sample landing folder under ``out_dir`` and say what is in it.

    ``counties_out`` (outside ``out_dir``: every .csv there is a submission) receives the
    counties used, shaped like ``dbt/seeds/ref_counties.csv``, for registering the codes
    the province and national scales add. ``out_dir`` must hold no submissions unless
    ``clean`` is set, which deletes its .xlsx/.csv files and README.md first.
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}")
    years = tuple(sorted(years))
    out_dir = Path(out_dir)
    if out_dir.exists():
        if clean:
            _clean(out_dir)
        elif any(p.suffix.lower() in SUBMISSION_SUFFIXES for p in out_dir.rglob("*")):
            raise FileExistsError(f"{out_dir} already holds submissions; pass clean=True (--clean) to replace them")
    if counties_out is not None and Path(counties_out).resolve().is_relative_to(out_dir.resolve()):
        raise ValueError("counties_out must lie outside out_dir: every .csv there would be read as a submission")

    rng = Random(seed)
    ctx = _build_world(rng, scale, years)
    people = People(rng)
    for s in ctx.schools:
        setup_school(rng, s, people, years)
    _school_years(ctx)
    demos = _pick_demos(ctx)
    _appropriations(ctx, demos)
    _budgets(ctx)
    _registry(ctx)
    if scale == "city":
        _city_partnership_demos(ctx)
    _added_2026_11(ctx, seed)

    planner = _Planner(ctx, seed)
    planner.plan(demos)
    good_count = len(planner.planned)
    bad = _plan_defects(planner, seed, good_count)
    regular = [p for p in planner.planned if p.info.role == "submission"]
    _style_all(planner, regular, seed)
    dups, corrections = _plan_versions(planner, seed)
    _recruitment_files(planner, seed)

    jobs = [p.job for p in planner.planned]
    infos = [p.info for p in planner.planned]
    for p in planner.planned:  # defect files were named before styling: keep their own format
        p.info.path = p.job.path
    workers = workers if workers is not None else (1 if scale == "city" else max(1, os.cpu_count() or 1))
    out_dir.mkdir(parents=True, exist_ok=True)
    size = _write_all(out_dir, jobs, workers)

    rows: Counter[str] = Counter()
    for f in infos:
        if f.role != "bad":
            for si in f.sheets:
                if si.template:
                    rows[si.template] += si.rows
    counties = sorted({c for d in ctx.divisions for c in (d.as_county, *d.counties)}, key=lambda c: c.code)
    report = GenerationReport(
        out_dir=out_dir,
        scale=scale,
        seed=seed,
        years=years,
        schools=len(ctx.schools),
        files=sorted(infos, key=lambda f: f.path),
        rows_per_template={k: rows[k] for k in TEMPLATES if rows[k]},
        bad_files=sorted(bad, key=lambda b: b.path),
        duplicates=dups,
        corrections=corrections,
        counties=counties,
        demo_cases={k: sorted(set(v)) for k, v in sorted(ctx.demo.items())},
        bytes_written=size,
    )
    (out_dir / "README.md").write_text(_readme(report), encoding="utf-8")
    if counties_out is not None:
        write_counties(Path(counties_out), counties)
    return report


def write_counties(path: Path, counties: list[County]) -> None:
    """The counties as a ``ref_counties.csv``-shaped file (county_code,county_name,county_type)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["county_code,county_name,county_type"] + [f"{c.code},{c.name},{c.county_type}" for c in counties]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tools.sample.generator",
        description="Write sample submissions (xlsx/csv as offices send them) for vocwh into a landing folder.",
        epilog=(
            "scales: city ≈ 25 schools in Jilin City (the committed raw/), province ≈ 300 schools in Jilin "
            "province, national ≈ 11,000 schools. The same seed gives the same bytes. Province and national "
            "scales use county codes beyond ref_counties.csv: pass --counties-out to get them as a seed file. "
            "Example: python -m tools.sample.generator --scale city --seed 2024 --out raw --clean"
        ),
    )
    p.add_argument("--scale", choices=SCALES, default="city", help="how many schools (default: city)")
    p.add_argument("--seed", type=int, default=2024, help="random seed (default: 2024)")
    p.add_argument("--years", default="2023,2024", help="comma-separated statistical years (default: 2023,2024)")
    p.add_argument("--out", type=Path, required=True, help="landing folder to write (e.g. raw)")
    p.add_argument("--counties-out", type=Path, default=None, help="write the counties used here (ref_counties.csv shape; outside --out)")
    p.add_argument("--workers", type=int, default=None, help="processes for writing (default: 1 at city scale, else all cores)")
    p.add_argument("--clean", action="store_true", help="delete the .xlsx/.csv files and README.md already in --out first")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    years = tuple(int(y) for y in args.years.split(",") if y.strip())
    t0 = time.perf_counter()
    try:
        report = generate(args.out, args.scale, args.seed, years, args.counties_out, args.workers, args.clean)
    except (FileExistsError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(report.summary())
    print(f"seconds={time.perf_counter() - t0:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
