-- 生均拨款 appropriations, one row per funder, school and year.
-- standard_per_student_yuan stays null where no standard exists yet (市属高职).
with source as (
    select * from {{ source('submissions', 'appropriation') }}
)

select
    cast(year as {{ dbt.type_int() }}) as year,
    cast(funder_code as {{ dbt.type_string() }}) as funder_code,
    cast(school_code as {{ dbt.type_string() }}) as school_code,
    {{ to_money('standard_per_student_yuan') }} as standard_per_student_yuan,
    cast(funded_students as {{ dbt.type_bigint() }}) as funded_students,
    {{ to_money('appropriated_yuan') }} as appropriated_yuan,
    cast(paid_date as date) as paid_date,
    {{ submission_lineage() }}
from source
