-- 新增教育经费向职业教育倾斜 county funding tilt (policy-rules.md §5), per county and year
-- whose previous year's budget is known.
with budgets as (
    select
        year,
        county_code,
        sum(education_budget_yuan) as education_budget_yuan,
        sum(vocational_budget_yuan) as vocational_budget_yuan
    from {{ ref('stg_submissions__county_budgets') }}
    group by year, county_code
),

counties as (
    select * from {{ ref('ref_counties') }}
),

paired as (
    select
        cur.year,
        cur.county_code,
        cur.education_budget_yuan,
        cur.vocational_budget_yuan,
        prev.education_budget_yuan as previous_education_budget_yuan,
        prev.vocational_budget_yuan as previous_vocational_budget_yuan,
        cur.education_budget_yuan - prev.education_budget_yuan as increment_total_yuan,
        cur.vocational_budget_yuan - prev.vocational_budget_yuan as increment_vocational_yuan
    from budgets as cur
    inner join budgets as prev
        on prev.county_code = cur.county_code
        and prev.year = cur.year - 1
)

select
    cast(p.year as {{ dbt.type_int() }}) as year,
    cast(p.county_code as {{ dbt.type_string() }}) as county_code,
    cast(c.county_name as {{ dbt.type_string() }}) as county_name,
    {{ to_money('p.education_budget_yuan') }} as education_budget_yuan,
    {{ to_money('p.vocational_budget_yuan') }} as vocational_budget_yuan,
    {{ to_money('p.previous_education_budget_yuan') }} as previous_education_budget_yuan,
    {{ to_money('p.previous_vocational_budget_yuan') }} as previous_vocational_budget_yuan,
    {{ to_money('p.increment_total_yuan') }} as increment_total_yuan,
    {{ to_money('p.increment_vocational_yuan') }} as increment_vocational_yuan,
    cast({{ decimal_divide('p.previous_vocational_budget_yuan', 'p.previous_education_budget_yuan', 6) }} as {{ share_type() }}) as previous_vocational_share,
    cast(
        case
            when p.increment_total_yuan > 0
                then {{ decimal_divide('p.increment_vocational_yuan', 'p.increment_total_yuan', 6) }}
        end
        as {{ share_type() }}
    ) as increment_vocational_share,
    -- compared exactly (cross-multiplied), not on the rounded shares
    case
        when p.increment_total_yuan > 0
            then p.increment_vocational_yuan * p.previous_education_budget_yuan
                >= p.previous_vocational_budget_yuan * p.increment_total_yuan
        else false
    end as tilted,
    (p.increment_total_yuan <= 0) as no_new_funds
from paired as p
left join counties as c
    on c.county_code = p.county_code
