-- Sheet 审批后变更: every difference of the year between the approved and the latest figures
-- (marts.approval_differences), the mart and the changed columns by their Chinese names, with
-- the school's and county's names, and the row in words (issue 21: "2024 | <hash>" meant
-- nothing to finance): its year, school or county by name and code, and the rest of its
-- grain by the labels the templates give the codes.
with differences as (
    select * from {{ ref('rpt_finance__difference_texts') }}
),

counties as (
    select county_code, county_name from {{ ref('rpt_finance__county_names') }}
),

names as (
    select * from {{ ref('rpt_finance__school_names') }}
),

labels as (
    select column_name, code, label_zh from {{ ref('rpt_finance__code_labels') }}
),

named as (
    select
        d.*,
        coalesce(ns.school_name, nl.school_name) as school_name,
        coalesce(c.county_name, d.county_code) as county_name
    from differences as d
    left join counties as c on c.county_code = d.county_code
    left join names as ns on ns.school_code = d.school_code and ns.year = d.year
    left join names as nl on nl.school_code = d.school_code and nl.year is null
)

select
    d.year,
    row_number() over (partition by d.year order by d.mart, d.row_key) as row_order,
    false as is_total,
    d.mart_zh,
    d.mart,
    d.row_key,
    concat_ws(
        '，',
        d.year || '年度',
        case
            when d.school_code is not null then '学校：' || coalesce(d.school_name || '（' || d.school_code || '）', d.school_code)
            when d.county_code is not null then '县区：' || coalesce(d.county_name || '（' || d.county_code || '）', d.county_code)
        end,
        '培训类型：' || coalesce(tt.label_zh, d.training_type),
        '合作类型：' || coalesce(ct.label_zh, d.cooperation_type),
        '收入类别：' || coalesce(ic.label_zh, d.income_category),
        '大赛级别：' || coalesce(cl.label_zh, d.competition_level),
        '主办方：' || coalesce(ot.label_zh, d.organizer_type),
        '人员类别：' || coalesce(ro.label_zh, d.role),
        '人员标识（加密）：' || left(d.person_key, 16),
        '赛项：' || d.event_key,
        '聘用日期：' || strftime(d.hire_date, '%Y-%m-%d'),
        '指标：' || d.indicator,
        '范围：' || d.scope_code
    ) as row_zh,
    d.school_code,
    d.school_name,
    d.county_name,
    d.difference_zh,
    d.changed_zh
from named as d
left join labels as tt on tt.column_name = 'training_type' and tt.code = d.training_type
left join labels as ct on ct.column_name = 'cooperation_type' and ct.code = d.cooperation_type
left join labels as ic on ic.column_name = 'income_category' and ic.code = d.income_category
left join labels as cl on cl.column_name = 'competition_level' and cl.code = d.competition_level
left join labels as ot on ot.column_name = 'organizer_type' and ot.code = d.organizer_type
left join labels as ro on ro.column_name = 'role' and ro.code = d.role
