"""The submission templates: the one definition of every column, type, code list and rule.

Header recognition, value parsing, the Great Expectations suites in ``expectations/``,
the warehouse tables, the sample generator and the template reference (docs/templates.md) are all
derived from this module, so a template changes in exactly one place.
The contract it implements is ``shared/spec/submission-templates.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

CITY_CODE = "220200"


class T(StrEnum):
    """Value types a column may have; each maps to one parser in ``values.py``."""

    YEAR = "year"
    INT = "int"
    DECIMAL = "decimal"
    DATE = "date"
    BOOL = "bool"
    TEXT = "text"
    ENUM = "enum"
    SCHOOL_CODE = "school_code"
    COUNTY_CODE = "county_code"
    PROGRAM_CATEGORY = "program_category"
    CREDIT_CODE = "credit_code"
    ID_NUMBER = "id_number"
    UNIT_CODE = "unit_code"  # a school code (10 digits) or a county code (6 digits)


# What a clerk is told a value of each type should look like.
TYPE_HINT_ZH: dict[T, str] = {
    T.YEAR: "四位年度（2019-2035）",
    T.INT: "整数",
    T.DECIMAL: "数字（金额可带千分位逗号）",
    T.DATE: "日期（如 2024-05-01、2024/5/1、2024年5月1日）",
    T.BOOL: "是或否",
    T.TEXT: "文字",
    T.ENUM: "规定的选项之一",
    T.SCHOOL_CODE: "10位学校标识码",
    T.COUNTY_CODE: "6位区划代码",
    T.PROGRAM_CATEGORY: "2位专业大类代码（41-59）",
    T.CREDIT_CODE: "18位统一社会信用代码",
    T.ID_NUMBER: "18位身份证号",
    T.UNIT_CODE: "10位学校标识码或6位区划代码",
}


# Plausible upper bounds of amounts and counts without a bound of their own: far above any
# real submission (a province's whole education budget is ~10^11 yuan), far below what
# storage holds, so a mistyped 1e30 is a rejection naming the cell. The suites carry them.
PLAUSIBLE_MAX: dict[T, tuple[int, str]] = {
    T.DECIMAL: (10**12, "不能大于1万亿（1000000000000），请核对是否多填了数字 (implausibly large)"),
    T.INT: (10**7, "不能大于1000万（10000000），请核对是否多填了数字 (implausibly large)"),
}


@dataclass(frozen=True)
class Choice:
    """One allowed value of an enumeration: canonical English value, Chinese label, other spellings."""

    value: str
    zh: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    type: T
    required: bool
    description: str = ""
    choices: tuple[Choice, ...] = ()
    # For enumerations: the value that any unlisted text becomes (prize: 特等奖 -> other).
    fallback: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    strict_min: bool = False
    unique: bool = False  # unique within one submission
    registered_school: bool = False  # must be in that year's school_registry
    known_county: bool = False  # must be a configured county code
    known_unit: bool = False  # a school in that year's registry, or a configured county code
    pii: bool = False
    aliases: tuple[str, ...] = ()  # other header spellings seen in offices
    # Text compared as a key (赛项, 合同编号): the name of the column stored next to it that
    # holds its comparison key (shared.keys.text_key), computed once at ingest.
    key_column: str | None = None

    @property
    def label(self) -> str:
        """How reasons name a column: Chinese header with the English key."""
        return f"{self.zh}({self.key})"


@dataclass(frozen=True)
class PairRule:
    """``a`` must be >= ``b`` (or ``a`` <= ``b`` when ``op`` is "<=") on every row where both are filled."""

    a: str
    op: str  # ">=" or "<="
    b: str
    message_zh: str


@dataclass(frozen=True)
class PairSetRule:
    """The pair (``a``, ``b``) must be one of ``allowed`` (canonical values) on every row."""

    a: str
    b: str
    allowed: tuple[tuple[str, str], ...]
    message_zh: str


@dataclass(frozen=True)
class Template:
    key: str
    zh: str
    submitted_by: str
    columns: tuple[Column, ...]
    # Column holding the submitter's code; None when the submitter is fixed (the city).
    submitter_column: str | None
    fixed_submitter: str | None = None
    pair_rules: tuple[PairRule, ...] = ()
    pair_set_rules: tuple[PairSetRule, ...] = ()
    # Date columns that must fall in the statistical year ("in") or not before it ("from").
    year_bound_dates: tuple[tuple[str, str], ...] = ()
    # Columns whose rows must be unique together within a submission (beyond single columns).
    unique_together: tuple[tuple[str, ...], ...] = field(default_factory=tuple)

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def required_keys(self) -> list[str]:
        return [c.key for c in self.columns if c.required]


YES_NO = (Choice("true", "是", ("y", "yes", "true", "1", "√", "✓", "t")), Choice("false", "否", ("n", "no", "false", "0", "×", "✗", "f")))

YEAR = Column("year", "年度", T.YEAR, True, "统计年度 statistical year", min_value=2019, max_value=2035)


def _person() -> tuple[Column, Column]:
    """Name and ID number of a person in a row (awards, hires): personal data, hashed and masked."""
    return (
        Column("person_name", "姓名", T.TEXT, True, "姓名 name (personal data)", pii=True),
        Column(
            "id_number",
            "身份证号",
            T.ID_NUMBER,
            True,
            "身份证号 ID number (personal data)",
            pii=True,
            aliases=("身份证号码", "公民身份号码"),
        ),
    )


def _school(**kw: object) -> Column:
    return Column("school_code", "学校标识码", T.SCHOOL_CODE, True, "学校标识码 school code (MoE, 10 digits)", registered_school=True, **kw)  # type: ignore[arg-type]


SCHOOL_REGISTRY = Template(
    key="school_registry",
    zh="职业院校名录",
    submitted_by="市教育局 (220200)",
    submitter_column=None,
    fixed_submitter=CITY_CODE,
    columns=(
        YEAR,
        Column("school_code", "学校标识码", T.SCHOOL_CODE, True, "学校标识码 school code", unique=True),
        Column("school_name", "学校名称", T.TEXT, True, "学校名称 school name"),
        Column("county_code", "所在县区代码", T.COUNTY_CODE, True, "所在县区代码 county of the school", known_county=True),
        Column(
            "school_level",
            "办学层次",
            T.ENUM,
            True,
            "办学层次 level: secondary 中职 / higher 高职",
            choices=(Choice("secondary", "中职", ("中等职业学校", "中专")), Choice("higher", "高职", ("高等职业学校", "高职院校", "高专"))),
        ),
        Column(
            "sponsor",
            "举办者",
            T.ENUM,
            True,
            "举办者 sponsor: city 市属 / county 县属 / private 民办",
            choices=(Choice("city", "市属"), Choice("county", "县属", ("县(市)区属", "县区属")), Choice("private", "民办")),
        ),
        Column(
            "has_comprehensive_hs",
            "是否附设综合高中",
            T.BOOL,
            False,
            "是否附设综合高中 runs a comprehensive high-school class",
            choices=YES_NO,
        ),
    ),
)

ENROLLMENT = Template(
    key="enrollment",
    zh="在校生及学费收入",
    submitted_by="各职业院校",
    submitter_column="school_code",
    columns=(
        YEAR,
        _school(),
        Column(
            "program_category",
            "专业大类代码",
            T.PROGRAM_CATEGORY,
            True,
            "专业大类代码 programme category (41-59)",
            unique=True,
            min_value=41,
            max_value=59,
        ),
        Column("program_category_name", "专业大类名称", T.TEXT, False, "专业大类名称 programme category name"),
        Column("students", "在校生数", T.INT, True, "在校生数 enrolled students", min_value=0),
        Column(
            "exam_class_students",
            "其中：职教高考班学生数",
            T.INT,
            False,
            "职教高考班学生数 students in the vocational college-entrance class",
            min_value=0,
        ),
        Column("tuition_income_yuan", "学费收入（元）", T.DECIMAL, True, "学费收入 tuition income (yuan)", min_value=0),
    ),
    pair_rules=(PairRule("exam_class_students", "<=", "students", "不能大于在校生数(students)"),),
)

APPROPRIATION = Template(
    key="appropriation",
    zh="生均拨款",
    submitted_by="拨款的县(市)区政府或市财政 (220200)",
    submitter_column="funder_code",
    columns=(
        YEAR,
        Column("funder_code", "拨款单位代码", T.COUNTY_CODE, True, "拨款单位代码 funding government", known_county=True),
        _school(unique=True),
        Column(
            "standard_per_student_yuan",
            "生均拨款标准（元/生）",
            T.DECIMAL,
            False,
            "生均拨款标准 per-student standard (yuan); empty where none exists yet",
            min_value=0,
            strict_min=True,
        ),
        Column("funded_students", "核定学生数", T.INT, True, "核定学生数 students funded", min_value=0),
        Column("appropriated_yuan", "实际拨付金额（元）", T.DECIMAL, True, "实际拨付金额 amount paid (yuan)", min_value=0),
        Column("paid_date", "拨付日期", T.DATE, False, "拨付日期 payment date"),
    ),
    year_bound_dates=(("paid_date", "from"),),
)

TRAINING_TYPES = (
    Choice("labor_enlightenment", "劳动教育和职业启蒙", ("劳动教育和职业启蒙教育", "职业启蒙")),
    Choice("exam_prep", "职教高考培训"),
    Choice("incumbent_upskilling", "在岗职工技能提升", ("在岗职工职业技能提升", "在岗职工技能提升培训")),
    Choice("apprenticeship", "新型学徒制", ("新型学徒制培训",)),
    Choice("practical_technology", "实用技术培训"),
    Choice("skill_appraisal", "职业技能鉴定培训"),
    Choice("one_plus_x", "1+X证书培训", ("1+x证书培训", "1+X")),
)

TRAINING = Template(
    key="training",
    zh="培训开展情况",
    submitted_by="各职业院校",
    submitter_column="school_code",
    columns=(
        YEAR,
        _school(),
        Column("program_name", "培训项目名称", T.TEXT, True, "培训项目名称 programme name"),
        Column("training_type", "培训类型", T.ENUM, True, "培训类型 training type", choices=TRAINING_TYPES),
        Column("start_date", "开始日期", T.DATE, True, "开始日期 start date"),
        Column("end_date", "结束日期", T.DATE, True, "结束日期 end date"),
        Column("trainees", "培训人数", T.INT, True, "培训人数 trainees", min_value=0, strict_min=True),
        Column(
            "hours_per_trainee", "人均学时", T.DECIMAL, True, "人均学时 hours per trainee", min_value=0, strict_min=True, max_value=2000
        ),
        Column("income_yuan", "培训收入（元）", T.DECIMAL, True, "培训收入 training income (yuan)", min_value=0),
        Column("is_policy_project", "是否政策性培训项目", T.BOOL, False, "是否政策性培训项目 publicly funded programme", choices=YES_NO),
        Column("partner_name", "合作机构", T.TEXT, False, "合作机构 partner organisation"),
        # Added 2026-11; older files lack the column, and an empty value means "not declared".
        Column(
            "in_budget",
            "是否纳入单位预算",
            T.BOOL,
            False,
            "是否纳入单位预算 income entered in the school budget; empty = not declared",
            choices=YES_NO,
        ),
        # Added 2026-12 (二(二) 扩大"1+X"证书引进范围); older files lack the column.
        Column(
            "certificate_name",
            "1+X证书名称",
            T.TEXT,
            False,
            "1+X证书名称 the 1+X certificate trained for (training type one_plus_x); older files lack the column",
            key_column="certificate_key",
        ),
    ),
    pair_rules=(PairRule("end_date", ">=", "start_date", "不能早于开始日期(start_date)"),),
)

COOPERATION_TYPES = (
    Choice("industry_college", "产业学院"),
    Choice("production_base", "生产型实习实训基地", ("生产性实习实训基地",)),
    Choice("mixed_ownership", "混合所有制二级学院"),
    Choice("rnd_center", "工艺创新研发中心"),
    Choice("technical_service", "技术服务"),
    Choice("social_training", "社会培训"),
    Choice("school_enterprise", "自办企业"),
    Choice("donation", "社会捐赠"),
)

INCOME_CATEGORIES = (
    Choice("intellectual", "智力"),
    Choice("patent", "专利"),
    Choice("education", "教育"),
    Choice("labor", "劳务"),
    Choice("training", "培训"),
    Choice("production", "生产经营"),
    Choice("donation", "捐赠"),
)

PARTNERSHIP_INCOME = Template(
    key="partnership_income",
    zh="校企合作及社会服务收入",
    submitted_by="各职业院校",
    submitter_column="school_code",
    columns=(
        YEAR,
        _school(),
        Column("partner_name", "合作单位名称", T.TEXT, True, "合作单位名称 partner"),
        Column("partner_credit_code", "统一社会信用代码", T.CREDIT_CODE, True, "统一社会信用代码 partner's unified social credit code"),
        Column("cooperation_type", "合作类型", T.ENUM, True, "合作类型 cooperation type", choices=COOPERATION_TYPES),
        Column("income_category", "收入类别", T.ENUM, True, "收入类别 income category", choices=INCOME_CATEGORIES),
        Column("contract_no", "合同编号", T.TEXT, True, "合同编号 contract number", key_column="contract_key"),
        Column("contract_start", "合作开始日期", T.DATE, True, "合作开始日期 contract start"),
        Column("contract_end", "合作结束日期", T.DATE, True, "合作结束日期 contract end"),
        Column("income_yuan", "收入金额（元）", T.DECIMAL, True, "收入金额 income (yuan)", min_value=0),
        Column("in_budget", "是否纳入单位预算", T.BOOL, True, "是否纳入单位预算 entered in the school budget", choices=YES_NO),
        Column("internship_allowance_yuan", "实习津贴（元）", T.DECIMAL, False, "实习津贴 internship allowance (yuan)", min_value=0),
    ),
    pair_rules=(PairRule("contract_end", ">=", "contract_start", "不能早于合作开始日期(contract_start)"),),
)

COMPETITION_LEVELS = (
    Choice("international", "国际", ("国际级",)),
    Choice("national", "国家级", ("国家", "全国")),
    Choice("provincial", "省级", ("省",)),
    Choice("city", "市级", ("市",)),
)
ORGANIZER_TYPES = (
    Choice("official", "职业院校技能大赛", ("教师教学能力比赛", "职业院校技能大赛(含教师教学能力比赛)", "官方")),
    Choice("social", "社会团体", ("行业协会", "社会团体(行业协会)")),
)
ROLES = (Choice("student", "学生"), Choice("teacher", "参赛教师"), Choice("instructor", "指导教师"))
# 特等奖 (added 2026-12) ranks above the first prize: entitled at its level's first-prize amount.
PRIZES = (
    Choice("special", "特等奖"),
    Choice("first", "一等奖"),
    Choice("second", "二等奖"),
    Choice("third", "三等奖"),
    Choice("other", "其他", ("其它",)),
)

COMPETITION_AWARDS = Template(
    key="competition_awards",
    zh="技能大赛获奖情况",
    submitted_by="各职业院校",
    submitter_column="school_code",
    columns=(
        YEAR,
        _school(),
        *_person(),
        Column("role", "人员类别", T.ENUM, True, "人员类别 role", choices=ROLES),
        Column("competition_name", "大赛名称", T.TEXT, True, "大赛名称 competition"),
        Column("competition_level", "大赛级别", T.ENUM, True, "大赛级别 competition level", choices=COMPETITION_LEVELS),
        Column("organizer_type", "主办方类型", T.ENUM, True, "主办方类型 organizer type", choices=ORGANIZER_TYPES),
        Column("event_name", "赛项名称", T.TEXT, True, "赛项名称 event", key_column="event_key"),
        Column(
            "prize",
            "获奖等级",
            T.ENUM,
            True,
            "获奖等级 prize: 特等奖 special (added 2026-12); any other text is kept as other",
            choices=PRIZES,
            fallback="other",
        ),
        Column("award_date", "获奖日期", T.DATE, True, "获奖日期 award date"),
        Column("claimed_yuan", "申报奖励金额（元）", T.DECIMAL, True, "申报奖励金额 claimed award (yuan)", min_value=0),
        Column("hr_approval_no", "人社局批准文号", T.TEXT, False, "人社局批准文号 HR bureau approval number; empty = not approved"),
        Column("paid_yuan", "已发放金额（元）", T.DECIMAL, False, "已发放金额 amount paid (yuan); empty = 0", min_value=0),
    ),
    year_bound_dates=(("award_date", "in"),),
    pair_set_rules=(
        PairSetRule(
            "competition_level",
            "organizer_type",
            tuple(
                (lvl.value, org.value)
                for lvl in COMPETITION_LEVELS
                for org in ORGANIZER_TYPES
                if lvl.value != "international" or org.value == "social"
            ),
            "国际赛事的主办方类型只能是社会团体(social)",
        ),
    ),
)

COUNTY_EDUCATION_BUDGET = Template(
    key="county_education_budget",
    zh="县区教育经费",
    submitted_by="各县(市)区政府及市本级 (220200)",
    submitter_column="county_code",
    columns=(
        YEAR,
        Column("county_code", "区划代码", T.COUNTY_CODE, True, "区划代码 county code", known_county=True),
        Column(
            "education_budget_yuan",
            "教育经费总额（元）",
            T.DECIMAL,
            True,
            "教育经费总额 education budget (yuan)",
            min_value=0,
            strict_min=True,
        ),
        Column(
            "vocational_budget_yuan",
            "其中：职业教育经费（元）",
            T.DECIMAL,
            True,
            "职业教育经费 of which vocational education (yuan)",
            min_value=0,
        ),
    ),
    pair_rules=(PairRule("vocational_budget_yuan", "<=", "education_budget_yuan", "不能大于教育经费总额(education_budget_yuan)"),),
)

TEACHER_TYPES = (
    Choice("professional", "专业课教师", ("专业课",)),
    Choice("general", "公共基础课教师", ("公共基础课", "文化课教师")),
    Choice("part_time", "兼职教师", ("兼职",)),
)
RECRUITMENT_METHODS = (Choice("open", "公开招聘", ("公开",)), Choice("direct", "直接考察", ("考察",)))
EDUCATION_LEVELS = (
    Choice("secondary", "中专及以下", ("中专", "高中", "中职")),
    Choice("associate", "大专", ("专科", "高职", "大专（高职）")),
    Choice("bachelor", "本科", ("大学本科", "学士")),
    Choice("master", "硕士", ("硕士研究生", "研究生")),
    Choice("doctor", "博士", ("博士研究生",)),
)
TALENT_CATEGORIES = (
    Choice("urgent_doctor", "急需专业博士"),
    Choice("technician", "技师"),
    Choice("senior_technician", "高级技师"),
    Choice("expert", "高水平专家"),
)

# Added 2026-11: one row per teacher hired in the year, for the recruitment rules of 二(六).
TEACHER_RECRUITMENT = Template(
    key="teacher_recruitment",
    zh="教师招聘情况",
    submitted_by="各职业院校",
    submitter_column="school_code",
    columns=(
        YEAR,
        _school(),
        *_person(),
        Column("teacher_type", "教师类别", T.ENUM, True, "教师类别 teacher type", choices=TEACHER_TYPES),
        Column("recruitment_method", "招聘方式", T.ENUM, True, "招聘方式 recruitment method", choices=RECRUITMENT_METHODS),
        Column("education", "最高学历", T.ENUM, True, "最高学历 highest education", choices=EDUCATION_LEVELS),
        Column(
            "enterprise_years",
            "企业工作年限",
            T.DECIMAL,
            True,
            "企业工作年限 years of enterprise experience",
            min_value=0,
            max_value=50,
        ),
        Column("fresh_graduate", "是否应届毕业生", T.BOOL, True, "是否应届毕业生 fresh graduate", choices=YES_NO),
        Column(
            "dual_teacher_normal_graduate",
            '是否"双师型"职业技术师范专业毕业生',
            T.BOOL,
            False,
            '"双师型"职业技术师范专业毕业生 dual-qualified vocational normal graduate; empty = no',
            choices=YES_NO,
            aliases=("是否双师型职业技术师范专业毕业生", "是否“双师型”职业技术师范专业毕业生"),
        ),
        Column("skill_certificate", "职业技能等级证书", T.TEXT, False, "职业技能等级证书 skill-level certificate; empty = none"),
        Column(
            "talent_category",
            "高层次高技能人才类别",
            T.ENUM,
            False,
            "高层次高技能人才类别 high-level talent category; empty = none",
            choices=TALENT_CATEGORIES,
        ),
        Column("plan_approval_no", "招聘方案核准文号", T.TEXT, False, "招聘方案核准文号 plan approval number; empty = not approved"),
        Column("hr_filing_no", "人社部门备案文号", T.TEXT, False, "人社部门备案文号 HR filing number; empty = not filed"),
        Column("panel_size", "面试评委人数", T.INT, False, "面试评委人数 interview panel size", min_value=0),
        Column(
            "panel_related_teachers",
            "其中：相关专业教师人数",
            T.INT,
            False,
            "相关专业教师人数 of which related-discipline teachers",
            min_value=0,
        ),
        Column("hire_date", "聘用日期", T.DATE, True, "聘用日期 hire date"),
    ),
    pair_rules=(PairRule("panel_related_teachers", "<=", "panel_size", "不能大于面试评委人数(panel_size)"),),
    year_bound_dates=(("hire_date", "in"),),
)

PUBLICITY_EVENT_TYPES = (
    Choice("vocational_week", "职业教育活动周", ("职业教育活动周活动", "职教活动周", "职教宣传周")),
    Choice("open_day", "技能开放日", ("校园开放日",)),
    Choice("other", "其他", ("其它",)),
)

# Added 2026-12: 三(四) "组织开展职教宣传周、技能开放日等活动", one row per event, sent by a
# school or a county (the city as 220200); nobody owes it, so no collection round lists it.
PUBLICITY_EVENTS = Template(
    key="publicity_events",
    zh="职业教育活动周及技能开放日",
    submitted_by="各职业院校及各县(市)区 (市本级 220200)",
    submitter_column="submitter_code",
    columns=(
        YEAR,
        Column(
            "submitter_code",
            "填报单位代码",
            T.UNIT_CODE,
            True,
            "填报单位代码 school code (10 digits, registered) or county code (6 digits)",
            known_unit=True,
        ),
        Column("event_name", "活动名称", T.TEXT, True, "活动名称 event name"),
        Column("event_type", "活动类型", T.ENUM, True, "活动类型 event type", choices=PUBLICITY_EVENT_TYPES),
        Column("start_date", "开始日期", T.DATE, True, "开始日期 start date"),
        Column("end_date", "结束日期", T.DATE, True, "结束日期 end date"),
        Column("participants", "参与人数", T.INT, True, "参与人数 participants", min_value=0),
        Column("audience", "面向对象", T.TEXT, False, "面向对象 audience (中小学生、家长、企业 …)"),
    ),
    pair_rules=(PairRule("end_date", ">=", "start_date", "不能早于开始日期(start_date)"),),
    year_bound_dates=(("start_date", "in"),),
)

TEMPLATES: dict[str, Template] = {
    t.key: t
    for t in (
        SCHOOL_REGISTRY,
        ENROLLMENT,
        APPROPRIATION,
        TRAINING,
        PARTNERSHIP_INCOME,
        COMPETITION_AWARDS,
        COUNTY_EDUCATION_BUDGET,
        TEACHER_RECRUITMENT,
        PUBLICITY_EVENTS,
    )
}

# Registry first: the other templates are checked against that year's registry.
LOAD_ORDER: tuple[str, ...] = tuple(TEMPLATES)


def template_key(name: str) -> str:
    """The template a clerk names, by its key or its Chinese name (``在校生及学费收入`` or
    ``enrollment``), as its key; ValueError listing both names of every template otherwise.
    Clerks know the templates by the names printed on them, engineers by the keys."""
    wanted = name.strip()
    for t in TEMPLATES.values():
        if wanted in (t.key, t.zh):
            return t.key
    known = "、".join(f"{t.zh}（{t.key}）" for t in TEMPLATES.values())
    raise ValueError(f"未知报表 {wanted}，可用：{known} (unknown template {wanted!r}: give its Chinese name or its key)")
