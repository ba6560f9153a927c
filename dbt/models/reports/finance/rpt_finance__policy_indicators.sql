-- Sheet 政策指标: the approved policy indicators, city first, then counties, then schools,
-- each scope by its name and each rule with its clause, and 最新报送.
with indicators as (
    select * from {{ ref('policy_indicators') }}
),

counties as (
    select county_code, county_name from {{ ref('rpt_finance__county_names') }}
),

names as (
    select * from {{ ref('rpt_finance__school_names') }}
),

latest as (
    select * from {{ ref('rpt_finance__difference_texts') }} where mart = 'policy_indicators'
)

select
    i.year,
    row_number() over (
        partition by i.year
        order by i.indicator, case i.scope_type when 'city' then 0 when 'county' then 1 else 2 end, i.scope_code
    ) as row_order,
    false as is_total,
    i.indicator_zh,
    case i.scope_type
        when 'city' then '全市'
        when 'county' then '县（市）区'
        when 'school' then '学校'
        else i.scope_type
    end as scope_label,
    case
        when i.scope_type = 'school' then coalesce(ns.school_name, nl.school_name)
        else coalesce(c.county_name, i.scope_code)
    end as scope_name,
    i.value,
    i.previous_value,
    i.change,
    i.direction_met,
    coalesce(i.rule, '') || '（' || coalesce(i.source_clause, '') || '）' as rule,
    d.latest,
    i.indicator,
    i.scope_code
from indicators as i
left join counties as c on c.county_code = i.scope_code
left join names as ns on ns.school_code = i.scope_code and ns.year = i.year
left join names as nl on nl.school_code = i.scope_code and nl.year is null
left join latest as d
    on d.year = i.year
    and d.indicator is not distinct from i.indicator
    and d.scope_code is not distinct from i.scope_code
