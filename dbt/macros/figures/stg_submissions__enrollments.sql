{#- The body of model stg_submissions__enrollments (models/staging/stg_submissions__enrollments.sql) and of stg_submissions__enrollments_approved: see figures.sql. -#}
{% macro stg_submissions__enrollments_sql(figures) %}
with source as (
    select * from {{ figures_source('enrollment', figures) }}
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
{% endmacro %}
