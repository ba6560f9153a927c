{#- The body of model int_enrollments_by_school_year (models/intermediate/int_enrollments_by_school_year.sql) and of int_enrollments_by_school_year_approved: see figures.sql. -#}
{% macro int_enrollments_by_school_year_sql(figures) %}
select
    year,
    school_code,
    cast(sum(students) as {{ dbt.type_bigint() }}) as enrolled_students,
    {{ to_money('sum(tuition_income_yuan)') }} as tuition_income_yuan,
    cast(count(*) as {{ dbt.type_bigint() }}) as program_categories
from {{ figures_ref('stg_submissions__enrollments', figures) }}
group by year, school_code
{% endmacro %}
