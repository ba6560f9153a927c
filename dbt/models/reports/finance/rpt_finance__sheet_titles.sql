-- 工作表标题 the titles that depend on the year's data, by report model: the sheet 教师招聘
-- names the clause of 二(六) as the indicator seed states it, read from the latest
-- policy_indicators (policy text, not a figure: it shows before any hire is approved). A
-- sheet without a row here for the year takes its yml meta title.
with recruitment_rule as (
    select year, any_value(rule) as rule, any_value(source_clause) as source_clause
    from {{ latest_relation('policy_indicators') }}
    where indicator = 'recruitment_compliance_rate'
    group by year
)

select
    year,
    cast('rpt_finance__recruitment_hires' as varchar) as model_name,
    year || '年度 教师招聘合规检查　依据：' || coalesce(source_clause, 'None') || '：' || rule as title
from recruitment_rule
where rule is not null
