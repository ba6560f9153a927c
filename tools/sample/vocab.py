"""Word lists the sample generator draws from.

Kept apart from the generator so the realistic-looking Chinese (names, schools,
companies, competitions, training programmes) can be read and extended without
touching the logic. Nothing here is a column header or a code list: those come
from ``dagster_project.core.templates``.
"""

from __future__ import annotations

# ---------------------------------------------------------------- people

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
# Frequent surnames are listed first; the generator weights by position.
GIVEN_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕彩春菊凤洁梅琳素云莲真环雪荣爱妹香月莺媛瑞凡佳嘉琼勤珍贞莉"
    "桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁"
    "浩宇轩子涵博文一鸣思远俊杰志强建华晓东海波鹏飞天佑家豪子豪宇航泽宇皓轩睿哲铭"
)

# ---------------------------------------------------------------- schools (Jilin City, city scale)

# (name, county_code, level, sponsor, theme) — level/sponsor are template choice values.
JILIN_CITY_SCHOOLS: tuple[tuple[str, str, str, str, str], ...] = (
    ("吉林工业职业技术学院", "220211", "higher", "city", "工业"),
    ("吉林电子信息职业技术学院", "220203", "higher", "city", "信息"),
    ("吉林市职业技术学校", "220204", "secondary", "city", "机电"),
    ("吉林市卫生学校", "220202", "secondary", "city", "卫生"),
    ("吉林市商业职业技术学校", "220204", "secondary", "city", "商贸"),
    ("吉林市信息技术职业学校", "220202", "secondary", "city", "信息"),
    ("吉林市艺术学校", "220204", "secondary", "city", "艺术"),
    ("吉林市第一职业高级中学", "220202", "secondary", "city", "综合"),
    ("吉林市旅游职业学校", "220211", "secondary", "city", "旅游"),
    ("吉林市农业职业技术学校", "220203", "secondary", "city", "农业"),
    ("吉林市昌邑区职业高级中学", "220202", "secondary", "county", "综合"),
    ("吉林市龙潭区职业技术学校", "220203", "secondary", "county", "化工"),
    ("吉林市船营区职业高级中学", "220204", "secondary", "county", "综合"),
    ("吉林市丰满区职业技术学校", "220211", "secondary", "county", "旅游"),
    ("永吉县职业技术教育中心", "220221", "secondary", "county", "农业"),
    ("永吉县第二职业高级中学", "220221", "secondary", "county", "综合"),
    ("蛟河市职业技术教育中心", "220281", "secondary", "county", "机电"),
    ("桦甸市职业技术教育中心", "220282", "secondary", "county", "综合"),
    ("舒兰市职业技术教育中心", "220283", "secondary", "county", "农业"),
    ("舒兰市职业高级中学", "220283", "secondary", "county", "商贸"),
    ("磐石市职业技术教育中心", "220284", "secondary", "county", "机电"),
    ("磐石市农业职业学校", "220284", "secondary", "county", "农业"),
    ("吉林市江城职业技术学校", "220202", "secondary", "private", "信息"),
    ("吉林市华美职业学校", "220204", "secondary", "private", "艺术"),
    ("吉林市东方职业技术学院", "220211", "higher", "private", "商贸"),
)
# A school that opens in the last year only: it is in that year's registry, not the earlier ones.
JILIN_CITY_NEW_SCHOOL = ("吉林市现代服务职业学校", "220204", "secondary", "city", "旅游")
# A school that sends files but is in no registry (the "unregistered school" defect).
UNREGISTERED_SCHOOL = ("吉林市江南职业培训学校", "220211")

THEMES = ("机电", "信息", "卫生", "商贸", "旅游", "农业", "艺术", "化工", "交通", "建筑", "综合", "工业", "财经", "师范")
THEME_SCHOOL_WORD = {
    "机电": "机电工程",
    "信息": "信息技术",
    "卫生": "卫生",
    "商贸": "商贸",
    "旅游": "旅游",
    "农业": "农业",
    "艺术": "艺术",
    "化工": "化工",
    "交通": "交通",
    "建筑": "建筑工程",
    "综合": "职业技术",
    "工业": "工业",
    "财经": "财经",
    "师范": "幼儿师范",
}
PRIVATE_WORDS = ("华信", "博文", "新华", "育才", "启明", "腾飞", "东方", "华夏", "远航", "明德", "北方", "天成", "英才", "鸿志")

# Programme categories of the 2021 vocational catalogue (codes 41-59).
PROGRAM_CATEGORIES: dict[int, str] = {
    41: "农林牧渔大类",
    42: "资源环境与安全大类",
    43: "能源动力与材料大类",
    44: "土木建筑大类",
    45: "水利大类",
    46: "装备制造大类",
    47: "生物与化工大类",
    48: "轻工纺织大类",
    49: "食品药品与粮食大类",
    50: "交通运输大类",
    51: "电子与信息大类",
    52: "医药卫生大类",
    53: "财经商贸大类",
    54: "旅游大类",
    55: "文化艺术大类",
    56: "新闻传播大类",
    57: "教育与体育大类",
    58: "公安与司法大类",
    59: "公共管理与服务大类",
}
THEME_CATEGORIES: dict[str, tuple[int, ...]] = {
    "机电": (46, 50, 51, 43),
    "信息": (51, 56, 53, 55),
    "卫生": (52, 49, 57),
    "商贸": (53, 54, 51, 59),
    "旅游": (54, 53, 55, 49),
    "农业": (41, 49, 46, 53),
    "艺术": (55, 56, 57, 48),
    "化工": (47, 43, 42, 46),
    "交通": (50, 46, 51),
    "建筑": (44, 45, 42, 46),
    "综合": (46, 51, 53, 54, 52),
    "工业": (46, 47, 43, 51, 50),
    "财经": (53, 51, 59),
    "师范": (57, 55, 59),
}

# ---------------------------------------------------------------- partners

COMPANY_PLACES = (
    "江城",
    "松花湖",
    "北山",
    "龙潭",
    "丰满",
    "雾凇",
    "化城",
    "船营",
    "昌邑",
    "吉化",
    "江南",
    "哈达湾",
    "九站",
    "桦皮厂",
    "长白",
)
COMPANY_TRADES = (
    ("数控设备", "有限公司"),
    ("机械制造", "有限公司"),
    ("汽车销售服务", "有限公司"),
    ("精细化工", "有限责任公司"),
    ("电子科技", "有限公司"),
    ("网络科技", "有限公司"),
    ("大酒店", "有限公司"),
    ("旅游开发", "有限公司"),
    ("农业科技", "有限公司"),
    ("食品", "有限公司"),
    ("建筑工程", "有限公司"),
    ("电力安装", "有限公司"),
    ("医药连锁", "有限公司"),
    ("物流", "有限公司"),
    ("碳纤维材料", "股份有限公司"),
    ("智能装备", "有限公司"),
    ("电子商务", "有限公司"),
    ("康养服务", "有限公司"),
)
DONORS = ("{city}教育发展基金会", "{city}慈善总会", "{city}职业教育促进会")

# cooperation_type -> plausible income categories (choice values of the template).
COOPERATION_INCOME: dict[str, tuple[str, ...]] = {
    "industry_college": ("education", "intellectual"),
    "production_base": ("production", "labor"),
    "mixed_ownership": ("education", "production"),
    "rnd_center": ("patent", "intellectual"),
    "technical_service": ("intellectual", "labor"),
    "social_training": ("training",),
    "school_enterprise": ("production", "labor"),
    "donation": ("donation",),
}

# ---------------------------------------------------------------- training

# training_type -> (programme name patterns, hours range, income per trainee range)
TRAINING_PROGRAMMES: dict[str, tuple[tuple[str, ...], tuple[int, int], tuple[int, int]]] = {
    "labor_enlightenment": (
        ("{county}中小学生职业启蒙体验营", "中小学生劳动教育实践周", "“小小工匠”职业体验日", "中小学生研学实践（{theme}）"),
        (4, 16),
        (0, 0),
    ),
    "exam_prep": (("职教高考语文数学强化班", "职教高考专业课辅导班", "普通高中学生职教高考培训"), (60, 200), (0, 600)),
    "incumbent_upskilling": (
        ("{company}员工技能提升培训", "电工技能提升培训班", "数控车工技能提升培训", "企业班组长能力提升培训"),
        (24, 80),
        (200, 900),
    ),
    "apprenticeship": (("新型学徒制（{company}）电工班", "企业新型学徒制培训（{theme}）", "新型学徒制焊工班"), (200, 800), (1500, 4000)),
    "practical_technology": (
        ("农村实用技术（食用菌栽培）培训", "电商直播实用技术培训", "家政服务实用技术培训", "设施农业实用技术培训"),
        (8, 40),
        (0, 300),
    ),
    "skill_appraisal": (
        ("电工职业技能等级认定培训", "育婴员职业技能鉴定培训", "中式烹调师技能鉴定培训", "焊工职业技能等级认定培训"),
        (40, 120),
        (300, 1200),
    ),
    "one_plus_x": (
        ("1+X 工业机器人操作与运维证书培训", "1+X 网店运营推广证书培训", "1+X Web前端开发证书培训", "1+X 老年照护证书培训"),
        (40, 100),
        (300, 1000),
    ),
}

# ---------------------------------------------------------------- competitions

# (name pattern, level, organizer type, month range, mainly for teachers)
COMPETITIONS: tuple[tuple[str, str, str, tuple[int, int], bool], ...] = (
    ("{city}职业院校技能大赛", "city", "official", (3, 4), False),
    ("{province}职业院校技能大赛", "provincial", "official", (4, 6), False),
    ("全国职业院校技能大赛", "national", "official", (6, 8), False),
    ("{province}职业院校技能大赛教学能力比赛", "provincial", "official", (9, 10), True),
    ("全国职业院校技能大赛教学能力比赛", "national", "official", (11, 12), True),
    ("世界技能大赛", "international", "social", (9, 10), False),
    ("全国机械行业职业院校技能大赛", "national", "social", (5, 7), False),
    ("{province}汽车维修行业协会职业技能竞赛", "provincial", "social", (5, 9), False),
    ("{city}烹饪协会厨艺大赛", "city", "social", (8, 10), False),
)
EVENTS = (
    "工业机器人技术应用",
    "数控车",
    "数控铣",
    "电子商务技能",
    "汽车维修",
    "网络布线",
    "护理技能",
    "中餐烹饪",
    "会计技能",
    "焊接技术",
    "化工生产技术",
    "物联网技术应用",
    "Web前端开发",
    "艺术设计",
    "服装设计与工艺",
    "农机检修",
    "酒店服务",
    "移动应用开发",
    "电气安装与维修",
    "大数据应用开发",
    "PLC控制系统设计(中职组)",
)
TEACHER_EVENTS = ("公共基础课程组", "专业课程一组", "专业课程二组")
OTHER_PRIZES = ("特等奖", "优秀奖", "其他", "优胜奖")
HR_APPROVAL_PATTERNS = ("{abbr}人社字〔{year}〕{n}号", "{abbr}人社函〔{year}〕{n}号", "{abbr}人社发〔{year}〕{n}号")

# ---------------------------------------------------------------- files

FILE_NAMES: dict[str, tuple[str, ...]] = {
    "school_registry": ("{year}年职业院校名录", "全市职业院校名录（{year}年）", "{year}年吉林市职业院校基本情况"),
    "enrollment": ("{year}年在校生及学费收入统计表", "在校生情况", "{short}{year}学生数及学费", "附件1 在校生及学费收入"),
    "training": ("{year}年培训开展情况", "社会培训统计（{short}）", "培训台账{year}", "附件2：培训开展情况"),
    "partnership_income": ("校企合作收入{year}", "{year}年校企合作及社会服务收入明细", "附件3：校企合作", "社会服务收入统计"),
    "competition_awards": (
        "{year}年技能大赛获奖统计（终稿）",
        "获奖名单",
        "大赛获奖情况{year}",
        "技能大赛奖励申报表",
        "{year}年技能大赛获奖统计",
    ),
    "appropriation": ("{year}年生均拨款拨付明细", "{county}{year}年职业学校生均经费", "生均拨款统计表"),
    "county_education_budget": ("{year}年教育经费统计", "教育经费{year}", "{county}教育经费情况"),
    "combined": ("{year}年统计报表（在校生+培训）", "{short}{year}年报表"),
    "teacher_recruitment": ("{year}年教师招聘情况", "教师招聘情况表（{short}）", "{short}{year}年新进教师名单"),
}
FILE_SUFFIXES = ("", "", "", "", "（终稿）", "（最终版）", "v2", "(盖章版)")
TITLE_PATTERNS: dict[str, str] = {
    "school_registry": "吉林市{year}年职业院校名录",
    "enrollment": "{school}{year}年在校生及学费收入统计表",
    "training": "{school}{year}年培训开展情况统计表",
    "partnership_income": "{school}{year}年校企合作及社会服务收入明细表",
    "competition_awards": "吉林市{year}年职业院校技能大赛获奖情况统计表",
    "appropriation": "{submitter}{year}年职业院校生均拨款拨付情况表",
    "county_education_budget": "{submitter}{year}年教育经费情况表",
    "teacher_recruitment": "{school}{year}年教师招聘情况表",
}
# What a school's skill certificates and approval numbers look like (二(六) recruitment).
SKILL_CERTIFICATES = ("数控车铣加工职业技能等级证书（中级）", "工业机器人应用编程（高级）", "汽车运用与维修（中级）", "电工（二级/技师）")
RECRUITMENT_PLAN_PATTERN = "吉市教人核〔{year}〕{n}号"
RECRUITMENT_FILING_PATTERN = "吉市人社备〔{year}〕{n}号"
NOTES = (
    "填表说明：1.金额单位为元；2.本表数据截至{year}年12月31日；3.请于次年1月15日前报送。",
    "填表说明：身份证号请填写18位，人员类别填写学生、参赛教师或指导教师。",
    "注：本表由学校财务科、教务科共同填报，数据须与决算一致。",
    "备注：以上数据经学校审核无误。",
)
CLERKS = ("王丽", "张强", "刘洋", "陈静", "李娜", "赵敏", "孙伟", "周杰")
