-- Sheet 生均拨款: the approved per-student funding (ref: approved_marts.per_student_funding)
-- of each school, with the county's name, 最新报送 where the latest figures differ, and one
-- 合计 row per year summing the students and amounts (not the per-student ones).
with funding as (
    select * from {{ ref('per_student_funding') }}
),

counties as (
    select county_code, county_name from {{ ref('rpt_finance__county_names') }}
),

names as (
    select * from {{ ref('rpt_finance__school_names') }}
),

latest as (
    select * from {{ ref('rpt_finance__difference_texts') }} where mart = 'per_student_funding'
),

labels as (
    select code, label_zh from {{ ref('rpt_finance__code_labels') }} where column_name = 'school_level'
),

rows as (
    select
        f.year,
        row_number() over (partition by f.year order by f.county_code, f.school_code) as row_order,
        false as is_total,
        f.school_code,
        coalesce(f.school_name, ns.school_name, nl.school_name) as school_name,
        coalesce(c.county_name, f.county_code) as county_name,
        coalesce(l.label_zh, f.school_level) as school_level,
        f.enrolled_students,
        f.funded_students,
        f.standard_per_student_yuan,
        f.expected_yuan,
        f.appropriated_yuan,
        f.per_student_yuan,
        f.shortfall_yuan,
        f.tuition_income_yuan,
        f.service_income_yuan,
        f.below_standard,
        f.students_mismatch,
        f.yoy_decrease,
        f.offset_suspected,
        f.no_standard,
        f.no_enrollment,
        f.no_appropriation,
        f.standards_disagree,
        f.offset_basis,
        d.latest,
        f.county_code
    from funding as f
    left join counties as c on c.county_code = f.county_code
    left join names as ns on ns.school_code = f.school_code and ns.year = f.year
    left join names as nl on nl.school_code = f.school_code and nl.year is null
    left join labels as l on l.code = f.school_level
    left join latest as d on d.year = f.year and d.school_code is not distinct from f.school_code
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
    null as school_level,
    cast(coalesce(sum(enrolled_students), 0) as bigint) as enrolled_students,
    cast(coalesce(sum(funded_students), 0) as bigint) as funded_students,
    null as standard_per_student_yuan,
    cast(coalesce(sum(expected_yuan), 0) as decimal(18, 2)) as expected_yuan,
    cast(coalesce(sum(appropriated_yuan), 0) as decimal(18, 2)) as appropriated_yuan,
    null as per_student_yuan,
    cast(coalesce(sum(shortfall_yuan), 0) as decimal(18, 2)) as shortfall_yuan,
    cast(coalesce(sum(tuition_income_yuan), 0) as decimal(18, 2)) as tuition_income_yuan,
    cast(coalesce(sum(service_income_yuan), 0) as decimal(18, 2)) as service_income_yuan,
    null as below_standard,
    null as students_mismatch,
    null as yoy_decrease,
    null as offset_suspected,
    null as no_standard,
    null as no_enrollment,
    null as no_appropriation,
    null as standards_disagree,
    null as offset_basis,
    null as latest,
    null as county_code
from rows
group by year
