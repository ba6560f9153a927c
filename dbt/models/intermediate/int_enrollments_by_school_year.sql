-- 在校生及学费（按校按年）enrolment and tuition income per school and year.
select
    year,
    school_code,
    cast(sum(students) as {{ dbt.type_bigint() }}) as enrolled_students,
    {{ to_money('sum(tuition_income_yuan)') }} as tuition_income_yuan,
    cast(count(*) as {{ dbt.type_bigint() }}) as program_categories
from {{ ref('stg_submissions__enrollments') }}
group by year, school_code
