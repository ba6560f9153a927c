{#- The body of model int_service_income_by_school_year (models/intermediate/int_service_income_by_school_year.sql) and of int_service_income_by_school_year_approved: see figures.sql. -#}
{% macro int_service_income_by_school_year_sql(figures) %}
with income_lines as (
    select
        year,
        school_code,
        income_yuan as training_income_yuan,
        {{ to_money('0') }} as partnership_service_income_yuan
    from {{ figures_ref('stg_submissions__trainings', figures) }}

    union all

    select
        year,
        school_code,
        {{ to_money('0') }} as training_income_yuan,
        income_yuan as partnership_service_income_yuan
    from {{ figures_ref('stg_submissions__partnership_incomes', figures) }}
    where income_category <> 'donation'
)

select
    year,
    school_code,
    {{ to_money('sum(training_income_yuan)') }} as training_income_yuan,
    {{ to_money('sum(partnership_service_income_yuan)') }} as partnership_service_income_yuan,
    {{ to_money('sum(training_income_yuan) + sum(partnership_service_income_yuan)') }} as service_income_yuan
from income_lines
group by year, school_code
{% endmacro %}
