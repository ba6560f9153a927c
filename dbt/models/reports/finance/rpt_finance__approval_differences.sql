-- Sheet 审批后变更: every difference of the year between the approved and the latest figures
-- (marts.approval_differences), the mart and the changed columns by their Chinese names, with
-- the school's and county's names.
with differences as (
    select * from {{ ref('rpt_finance__difference_texts') }}
),

counties as (
    select county_code, county_name from {{ ref('rpt_finance__county_names') }}
),

names as (
    select * from {{ ref('rpt_finance__school_names') }}
)

select
    d.year,
    row_number() over (partition by d.year order by d.mart, d.row_key) as row_order,
    false as is_total,
    d.mart_zh,
    d.mart,
    d.row_key,
    d.school_code,
    coalesce(ns.school_name, nl.school_name) as school_name,
    coalesce(c.county_name, d.county_code) as county_name,
    d.difference_zh,
    d.changed_zh
from differences as d
left join counties as c on c.county_code = d.county_code
left join names as ns on ns.school_code = d.school_code and ns.year = d.year
left join names as nl on nl.school_code = d.school_code and nl.year is null
