-- 在校生及学费收入 enrolment by programme category, one row per school, year and category.
with source as (
    select * from {{ source('submissions', 'enrollment') }}
)

select
    cast(year as {{ dbt.type_int() }}) as year,
    cast(school_code as {{ dbt.type_string() }}) as school_code,
    cast(program_category as {{ dbt.type_string() }}) as program_category,
    cast(program_category_name as {{ dbt.type_string() }}) as program_category_name,
    cast(students as {{ dbt.type_bigint() }}) as students,
    cast(exam_class_students as {{ dbt.type_bigint() }}) as exam_class_students,
    {{ to_money('tuition_income_yuan') }} as tuition_income_yuan,
    {{ submission_lineage() }}
from source
