-- 生均拨款（已审批 vs 最新）what finance pays against, beside the latest received figures
-- (issue 10): one row per year and school in per_student_funding or its _approved twin.
-- differs_from_latest: the school has no approved figures yet, or a figure below differs
-- (a correction arrived after the lock, or an approval is still missing).
with approved as (
    select * from {{ ref('per_student_funding_approved') }}
),

latest as (
    select * from {{ ref('per_student_funding') }}
),

keys as (
    select year, school_code from approved
    union
    select year, school_code from latest
)

select
    cast(k.year as {{ dbt.type_int() }}) as year,
    cast(k.school_code as {{ dbt.type_string() }}) as school_code,
    cast(coalesce(a.school_name, l.school_name) as {{ dbt.type_string() }}) as school_name,
    cast(coalesce(a.county_code, l.county_code) as {{ dbt.type_string() }}) as county_code,
    cast(a.school_code is not null as {{ dbt.type_boolean() }}) as has_approved,
    cast(a.enrolled_students as {{ dbt.type_bigint() }}) as enrolled_students,
    {{ to_money('a.appropriated_yuan') }} as appropriated_yuan,
    {{ to_money('a.per_student_yuan') }} as per_student_yuan,
    {{ to_money('a.shortfall_yuan') }} as shortfall_yuan,
    cast(a.below_standard as {{ dbt.type_boolean() }}) as below_standard,
    cast(l.enrolled_students as {{ dbt.type_bigint() }}) as latest_enrolled_students,
    {{ to_money('l.appropriated_yuan') }} as latest_appropriated_yuan,
    {{ to_money('l.per_student_yuan') }} as latest_per_student_yuan,
    cast(
        a.school_code is null
        or l.school_code is null
        or a.enrolled_students is distinct from l.enrolled_students
        or a.funded_students is distinct from l.funded_students
        or a.appropriated_yuan is distinct from l.appropriated_yuan
        or a.tuition_income_yuan is distinct from l.tuition_income_yuan
        or a.service_income_yuan is distinct from l.service_income_yuan
        as {{ dbt.type_boolean() }}
    ) as differs_from_latest
from keys as k
left join approved as a on a.year = k.year and a.school_code = k.school_code
left join latest as l on l.year = k.year and l.school_code = k.school_code
