-- 生均拨款（按校按年）appropriations per school and year, summed over funders
-- (policy-rules.md §2). Where funders give different standards, the highest is used.
select
    year,
    school_code,
    cast(count(*) as {{ dbt.type_bigint() }}) as funders,
    cast(sum(funded_students) as {{ dbt.type_bigint() }}) as funded_students,
    {{ to_money('sum(appropriated_yuan)') }} as appropriated_yuan,
    {{ to_money('max(standard_per_student_yuan)') }} as standard_per_student_yuan,
    (count(distinct standard_per_student_yuan) > 1) as standards_disagree
from {{ ref('stg_submissions__appropriations') }}
group by year, school_code
