-- Sheet 教师招聘: the approved hires as judged in recruitment_hires (a keyed hash of the
-- person only, never a name), with the school's and county's names, codes by their Chinese
-- labels where the template has them, and 最新报送.
with hires as (
    select * from {{ ref('recruitment_hires') }}
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
    select * from {{ ref('rpt_finance__difference_texts') }} where mart = 'recruitment_hires'
)

select
    h.year,
    row_number() over (partition by h.year order by h.school_code, h.hire_date, h.person_key) as row_order,
    false as is_total,
    h.school_code,
    coalesce(ns.school_name, nl.school_name) as school_name,
    coalesce(c.county_name, h.county_code) as county_name,
    left(coalesce(h.person_key, ''), 16) as person_ref,
    cast(h.hire_date as varchar) as hire_date,
    coalesce(lt.label_zh, h.teacher_type) as teacher_type,
    coalesce(lm.label_zh, h.recruitment_method) as recruitment_method,
    h.experience_ok,
    h.fresh_graduate_ok,
    h.direct_hire_ok,
    h.plan_ok,
    h.panel_ok,
    h.compliant,
    h.findings,
    d.latest,
    h.person_key
from hires as h
left join counties as c on c.county_code = h.county_code
left join names as ns on ns.school_code = h.school_code and ns.year = h.year
left join names as nl on nl.school_code = h.school_code and nl.year is null
left join labels as lt on lt.column_name = 'teacher_type' and lt.code = h.teacher_type
left join labels as lm on lm.column_name = 'recruitment_method' and lm.code = h.recruitment_method
left join latest as d
    on d.year = h.year
    and d.school_code is not distinct from h.school_code
    and d.person_key is not distinct from h.person_key
    and d.hire_date is not distinct from h.hire_date
