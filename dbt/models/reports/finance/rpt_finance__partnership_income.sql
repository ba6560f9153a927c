-- Sheet 校企合作收入: the approved partnership income of each school, cooperation type and
-- income category, types in template order and by their Chinese labels, with the school's
-- and county's names, the findings in words, 最新报送, and one 合计 row per year.
with income as (
    select * from {{ ref('partnership_income') }}
),

counties as (
    select county_code, county_name from {{ ref('rpt_finance__county_names') }}
),

names as (
    select * from {{ ref('rpt_finance__school_names') }}
),

labels as (
    select * from {{ ref('rpt_finance__code_labels') }}
),

latest as (
    select * from {{ ref('rpt_finance__difference_texts') }} where mart = 'partnership_income'
),

rows as (
    select
        i.year,
        row_number() over (
            partition by i.year
            order by i.school_code, coalesce(lc.position, 99), coalesce(li.position, 99), i.cooperation_type, i.income_category
        ) as row_order,
        false as is_total,
        i.school_code,
        coalesce(ns.school_name, nl.school_name) as school_name,
        coalesce(c.county_name, i.county_code) as county_name,
        coalesce(lc.label_zh, i.cooperation_type) as cooperation_type,
        coalesce(li.label_zh, i.income_category) as income_category,
        i.partners,
        i.contracts,
        i.income_yuan,
        i.off_budget_yuan,
        i.contracts_over_3y,
        i.internship_allowance_yuan,
        concat_ws(
            '；',
            case when i.off_budget_yuan > 0 then format('{:,.2f}', cast(i.off_budget_yuan as double)) || ' 元未纳入单位预算' end,
            case when i.contracts_over_3y > 0 then i.contracts_over_3y || ' 份生产型基地合同合作期超过3年' end
        ) as findings,
        d.latest,
        i.cooperation_type as cooperation_type_code,
        i.income_category as income_category_code
    from income as i
    left join counties as c on c.county_code = i.county_code
    left join names as ns on ns.school_code = i.school_code and ns.year = i.year
    left join names as nl on nl.school_code = i.school_code and nl.year is null
    left join labels as lc on lc.column_name = 'cooperation_type' and lc.code = i.cooperation_type
    left join labels as li on li.column_name = 'income_category' and li.code = i.income_category
    left join latest as d
        on d.year = i.year
        and d.school_code is not distinct from i.school_code
        and d.cooperation_type is not distinct from i.cooperation_type
        and d.income_category is not distinct from i.income_category
)

select * from rows
union all
select
    year,
    count(*) + 1 as row_order,
    true as is_total,
    null as school_code,
    null as school_name,
    null as county_name,
    null as cooperation_type,
    null as income_category,
    cast(coalesce(sum(partners), 0) as bigint) as partners,
    cast(coalesce(sum(contracts), 0) as bigint) as contracts,
    cast(coalesce(sum(income_yuan), 0) as decimal(18, 2)) as income_yuan,
    cast(coalesce(sum(off_budget_yuan), 0) as decimal(18, 2)) as off_budget_yuan,
    cast(coalesce(sum(contracts_over_3y), 0) as bigint) as contracts_over_3y,
    cast(coalesce(sum(internship_allowance_yuan), 0) as decimal(18, 2)) as internship_allowance_yuan,
    null as findings,
    null as latest,
    null as cooperation_type_code,
    null as income_category_code
from rows
group by year
