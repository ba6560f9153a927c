-- 劳动教育和职业启蒙培训目标进度 citywide labor-enlightenment trainees against the plan
-- target (policy-rules.md §3), one row per year with training data. The target and its plan
-- period (the seed row's years, 2021-2025) come from seed policy_parameters; the average runs
-- over the plan years up to the year that have training data.
with trainings as (
    select * from {{ ref('stg_submissions__trainings') }}
),

yearly as (
    select
        year,
        sum(case when training_type = 'labor_enlightenment' then trainees else 0 end) as labor_enlightenment_trainees,
        count(distinct case when training_type = 'labor_enlightenment' then school_code end) as schools_reporting
    from trainings
    group by year
),

with_target as (
    select
        y.year,
        y.labor_enlightenment_trainees,
        y.schools_reporting,
        tgt.value as target_value,
        tgt.valid_from_year as plan_start_year,
        tgt.valid_to_year as plan_end_year
    from yearly as y
    {{ join_policy_parameter('tgt', 'labor_enlightenment_annual_target', 'y.year') }}
),

to_date as (
    select
        cur.year,
        sum(prev.labor_enlightenment_trainees) as trainees_to_date,
        count(*) as years_with_data
    from with_target as cur
    inner join yearly as prev
        on prev.year >= cur.plan_start_year
        and prev.year <= cur.year
    group by cur.year
)

select
    cast(t.year as {{ dbt.type_int() }}) as year,
    cast(t.labor_enlightenment_trainees as {{ dbt.type_bigint() }}) as labor_enlightenment_trainees,
    cast(t.schools_reporting as {{ dbt.type_bigint() }}) as schools_reporting,
    cast(t.plan_start_year as {{ dbt.type_int() }}) as plan_start_year,
    cast(t.plan_end_year as {{ dbt.type_int() }}) as plan_end_year,
    cast(d.years_with_data as {{ dbt.type_bigint() }}) as years_with_data,
    cast(d.trainees_to_date as {{ dbt.type_bigint() }}) as trainees_to_date,
    {{ decimal_divide('d.trainees_to_date', 'd.years_with_data') }} as average_to_date,
    cast(t.target_value as {{ dbt.type_bigint() }}) as target,
    case
        when t.target_value is not null then t.labor_enlightenment_trainees >= t.target_value
    end as year_met,
    case
        when t.target_value is not null then d.trainees_to_date >= t.target_value * d.years_with_data
    end as average_met
from with_target as t
left join to_date as d
    on d.year = t.year
