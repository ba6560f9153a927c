-- 县区教育经费 county education budgets, one row per county and year.
with source as (
    select * from {{ source('submissions', 'county_education_budget') }}
)

select
    cast(year as {{ dbt.type_int() }}) as year,
    cast(county_code as {{ dbt.type_string() }}) as county_code,
    {{ to_money('education_budget_yuan') }} as education_budget_yuan,
    {{ to_money('vocational_budget_yuan') }} as vocational_budget_yuan,
    {{ submission_lineage() }}
from source
