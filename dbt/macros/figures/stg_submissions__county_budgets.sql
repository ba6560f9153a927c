{#- The SQL of the models stg_submissions__county_budgets and stg_submissions__county_budgets_approved (macros/figures/figures.sql). -#}
{% macro stg_submissions__county_budgets_sql(figures) -%}
-- 县区教育经费 county education budgets, one row per county and year.
with source as (
    select * from {{ source(figures_schema(figures), 'county_education_budget') }}
)

select
    cast(year as {{ dbt.type_int() }}) as year,
    cast(county_code as {{ dbt.type_string() }}) as county_code,
    {{ to_money('education_budget_yuan') }} as education_budget_yuan,
    {{ to_money('vocational_budget_yuan') }} as vocational_budget_yuan,
    {{ submission_lineage() }}
from source
{%- endmacro %}
