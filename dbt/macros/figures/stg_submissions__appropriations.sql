{#- The body of model stg_submissions__appropriations (models/staging/stg_submissions__appropriations.sql) and of stg_submissions__appropriations_approved: see figures.sql. -#}
{% macro stg_submissions__appropriations_sql(figures) %}
with source as (
    select * from {{ figures_source('appropriation', figures) }}
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
{% endmacro %}
