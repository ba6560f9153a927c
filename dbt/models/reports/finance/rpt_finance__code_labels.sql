-- 代码中文名称 the Chinese label and the order of each code value the workbook shows, as the
-- template definitions (dagster_project/core/templates.py) state them: the sheets show
-- national as 国家级 and list training types and cooperation types in template order.
-- tests/test_finance_workbook_golden.py checks this list against the templates.
select
    cast(column_name as varchar) as column_name,
    cast(code as varchar) as code,
    cast(label_zh as varchar) as label_zh,
    cast(position as integer) as position
from (
    values
        ('school_level', 'secondary', '中职', 1),
        ('school_level', 'higher', '高职', 2),
        ('training_type', 'labor_enlightenment', '劳动教育和职业启蒙', 1),
        ('training_type', 'exam_prep', '职教高考培训', 2),
        ('training_type', 'incumbent_upskilling', '在岗职工技能提升', 3),
        ('training_type', 'apprenticeship', '新型学徒制', 4),
        ('training_type', 'practical_technology', '实用技术培训', 5),
        ('training_type', 'skill_appraisal', '职业技能鉴定培训', 6),
        ('training_type', 'one_plus_x', '1+X证书培训', 7),
        ('cooperation_type', 'industry_college', '产业学院', 1),
        ('cooperation_type', 'production_base', '生产型实习实训基地', 2),
        ('cooperation_type', 'mixed_ownership', '混合所有制二级学院', 3),
        ('cooperation_type', 'rnd_center', '工艺创新研发中心', 4),
        ('cooperation_type', 'technical_service', '技术服务', 5),
        ('cooperation_type', 'social_training', '社会培训', 6),
        ('cooperation_type', 'school_enterprise', '自办企业', 7),
        ('cooperation_type', 'donation', '社会捐赠', 8),
        ('income_category', 'intellectual', '智力', 1),
        ('income_category', 'patent', '专利', 2),
        ('income_category', 'education', '教育', 3),
        ('income_category', 'labor', '劳务', 4),
        ('income_category', 'training', '培训', 5),
        ('income_category', 'production', '生产经营', 6),
        ('income_category', 'donation', '捐赠', 7),
        ('competition_level', 'international', '国际', 1),
        ('competition_level', 'national', '国家级', 2),
        ('competition_level', 'provincial', '省级', 3),
        ('competition_level', 'city', '市级', 4),
        ('organizer_type', 'official', '职业院校技能大赛', 1),
        ('organizer_type', 'social', '社会团体', 2),
        ('role', 'student', '学生', 1),
        ('role', 'teacher', '参赛教师', 2),
        ('role', 'instructor', '指导教师', 3),
        ('prize', 'first', '一等奖', 1),
        ('prize', 'second', '二等奖', 2),
        ('prize', 'third', '三等奖', 3),
        ('prize', 'other', '其他', 4),
        ('teacher_type', 'professional', '专业课教师', 1),
        ('teacher_type', 'general', '公共基础课教师', 2),
        ('teacher_type', 'part_time', '兼职教师', 3),
        ('recruitment_method', 'open', '公开招聘', 1),
        ('recruitment_method', 'direct', '直接考察', 2)
) as labels (column_name, code, label_zh, position)
