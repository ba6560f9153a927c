{#- The body of model int_appropriations_by_school_year (models/intermediate/int_appropriations_by_school_year.sql) and of int_appropriations_by_school_year_approved: see figures.sql. -#}
{% macro int_appropriations_by_school_year_sql(figures) %}
select
    year,
    school_code,
    cast(count(*) as {{ dbt.type_bigint() }}) as funders,
    cast(sum(funded_students) as {{ dbt.type_bigint() }}) as funded_students,
    {{ to_money('sum(appropriated_yuan)') }} as appropriated_yuan,
    {{ to_money('max(standard_per_student_yuan)') }} as standard_per_student_yuan,
    (count(distinct standard_per_student_yuan) > 1) as standards_disagree
from {{ figures_ref('stg_submissions__appropriations', figures) }}
group by year, school_code
{% endmacro %}
