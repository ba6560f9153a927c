-- 校企合作及社会服务收入 partnership income per school, year, cooperation type and income
-- category (policy-rules.md §4).
with incomes as (
    select * from {{ ref('stg_submissions__partnership_incomes') }}
),

schools as (
    select * from {{ ref('stg_submissions__schools') }}
),

lines as (
    select
        p.*,
        -- 生产型实习实训基地 每轮合作周期原则上不超过N年 (N from seed): the term is over when the
        -- contract ends later than its start plus N years (exactly N years is not over)
        (
            p.cooperation_type = 'production_base'
            and p.contract_end > {{ dbt.dateadd('year', 'cast(cycle.value as ' ~ dbt.type_int() ~ ')', 'p.contract_start') }}
        ) as is_over_cycle
    from incomes as p
    {{ join_policy_parameter('cycle', 'production_base_cycle_years', 'p.year') }}
)

select
    cast(l.year as {{ dbt.type_int() }}) as year,
    cast(l.school_code as {{ dbt.type_string() }}) as school_code,
    cast(l.cooperation_type as {{ dbt.type_string() }}) as cooperation_type,
    cast(l.income_category as {{ dbt.type_string() }}) as income_category,
    cast(max(sch.county_code) as {{ dbt.type_string() }}) as county_code,
    cast(max(sch.school_name) as {{ dbt.type_string() }}) as school_name,
    cast(max(cty.county_name) as {{ dbt.type_string() }}) as county_name,
    cast(count(distinct l.partner_credit_code) as {{ dbt.type_bigint() }}) as partners,
    cast(count(distinct l.contract_key) as {{ dbt.type_bigint() }}) as contracts,
    {{ to_money('sum(l.income_yuan)') }} as income_yuan,
    {{ to_money('sum(case when l.in_budget then l.income_yuan else 0 end)') }} as in_budget_yuan,
    {{ to_money('sum(case when l.in_budget then 0 else l.income_yuan end)') }} as off_budget_yuan,
    cast(count(distinct case when l.is_over_cycle then l.contract_key end) as {{ dbt.type_bigint() }}) as contracts_over_3y,
    {{ to_money('sum(l.internship_allowance_yuan)') }} as internship_allowance_yuan,
    (l.income_category <> 'donation') as counts_as_service_income
from lines as l
left join schools as sch
    on sch.year = l.year and sch.school_code = l.school_code
left join {{ ref('ref_counties') }} as cty
    on cast(cty.county_code as {{ dbt.type_string() }}) = sch.county_code
group by l.year, l.school_code, l.cooperation_type, l.income_category
