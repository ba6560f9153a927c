-- 培训规模 training volume per school, year and training type (policy-rules.md §3).
with trainings as (
    select * from {{ ref('stg_submissions__trainings') }}
),

schools as (
    select * from {{ ref('stg_submissions__schools') }}
)

select
    cast(t.year as {{ dbt.type_int() }}) as year,
    cast(t.school_code as {{ dbt.type_string() }}) as school_code,
    cast(t.training_type as {{ dbt.type_string() }}) as training_type,
    cast(max(sch.county_code) as {{ dbt.type_string() }}) as county_code,
    cast(max(sch.school_name) as {{ dbt.type_string() }}) as school_name,
    cast(max(cty.county_name) as {{ dbt.type_string() }}) as county_name,
    cast(count(*) as {{ dbt.type_bigint() }}) as programs,
    cast(sum(case when t.is_policy_project then 1 else 0 end) as {{ dbt.type_bigint() }}) as policy_programs,
    cast(sum(t.trainees) as {{ dbt.type_bigint() }}) as trainees,
    {{ to_money('sum(t.trainees * t.hours_per_trainee)') }} as trainee_hours,
    {{ to_money('sum(t.income_yuan)') }} as income_yuan,
    -- 二(三) training income belongs in the school budget: income declared as not in it, and
    -- income not declared either way (files made before the column existed)
    {{ to_money('coalesce(sum(t.income_yuan) filter (where t.in_budget = false), 0)') }} as off_budget_income_yuan,
    {{ to_money('coalesce(sum(t.income_yuan) filter (where t.in_budget is null), 0)') }} as undeclared_income_yuan
from trainings as t
left join schools as sch
    on sch.year = t.year and sch.school_code = t.school_code
left join {{ ref('ref_counties') }} as cty
    on cast(cty.county_code as {{ dbt.type_string() }}) = sch.county_code
group by t.year, t.school_code, t.training_type
