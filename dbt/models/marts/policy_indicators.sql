-- 政策指标 the policy indicators of policy-rules.md §7 in one long table: one row per year,
-- indicator and scope (city 220200, county or school), with the previous year's value of the
-- same scope, the change, and whether the direction the policy asks for is met. Clauses and
-- directions live in seed policy_indicator_rules (one row per indicator).
-- Which scopes a year has: city and every county with a registered school that year
-- (a school registered under the city's own code counts for the city only); school scopes
-- are the schools with the figure's submissions.
with schools as (
    select * from {{ ref('schools') }}
),

city as (
    select cast(county_code as {{ dbt.type_string() }}) as city_code
    from {{ ref('ref_counties') }}
    where county_type = 'city'
),

training as (
    select * from {{ ref('training_volume') }}
),

training_years as (
    select distinct year from training
),

-- city and county scopes for every year with training submissions
area_scopes as (
    select ty.year, 'city' as scope_type, c.city_code as scope_code
    from training_years as ty cross join city as c
    union all
    select distinct s.year, 'county' as scope_type, s.county_code as scope_code
    from schools as s cross join city as c
    where s.county_code <> c.city_code
),

one_plus_x as (
    select
        a.year,
        'one_plus_x_trainees' as indicator,
        a.scope_type,
        a.scope_code,
        cast(coalesce(sum(t.trainees), 0) as decimal(18, 6)) as value
    from area_scopes as a
    inner join training_years as ty on ty.year = a.year
    left join training as t
        on t.year = a.year
        and t.training_type = 'one_plus_x'
        and (a.scope_type = 'city' or t.county_code = a.scope_code)
    group by a.year, a.scope_type, a.scope_code
),

comprehensive as (
    select
        a.year,
        'comprehensive_high_schools' as indicator,
        a.scope_type,
        a.scope_code,
        cast(count(s.school_code) as decimal(18, 6)) as value
    from (
        select distinct s.year, 'city' as scope_type, c.city_code as scope_code
        from schools as s cross join city as c
        union all
        select distinct s.year, 'county', s.county_code
        from schools as s cross join city as c
        where s.county_code <> c.city_code
    ) as a
    left join schools as s
        on s.year = a.year
        and s.school_level = 'secondary'
        and s.has_comprehensive_hs
        and (a.scope_type = 'city' or s.county_code = a.scope_code)
    group by a.year, a.scope_type, a.scope_code
),

school_training as (
    select
        t.year,
        t.school_code,
        sum(t.off_budget_income_yuan) as off_budget_income_yuan,
        sum(t.undeclared_income_yuan) as undeclared_income_yuan
    from training as t
    group by t.year, t.school_code
),

off_budget as (
    select year, 'training_income_off_budget_yuan' as indicator, 'school' as scope_type, school_code as scope_code,
        cast(off_budget_income_yuan as decimal(18, 6)) as value
    from school_training
    union all
    select year, 'training_income_undeclared_yuan', 'school', school_code,
        cast(undeclared_income_yuan as decimal(18, 6))
    from school_training
),

production_base as (
    select
        p.year,
        p.school_code,
        sum(p.income_yuan) as income_yuan
    from {{ ref('stg_submissions__partnership_incomes') }} as p
    where p.cooperation_type = 'production_base'
    group by p.year, p.school_code
),

production_per_student as (
    select
        pb.year,
        'production_base_income_per_student_yuan' as indicator,
        'school' as scope_type,
        pb.school_code as scope_code,
        -- null (a gap, not 0) without enrolled students
        cast({{ decimal_divide('pb.income_yuan', 'e.enrolled_students') }} as decimal(18, 6)) as value
    from production_base as pb
    left join {{ ref('int_enrollments_by_school_year') }} as e
        on e.year = pb.year and e.school_code = pb.school_code
),

exam_prep as (
    select
        ty.year,
        'exam_prep_trainees' as indicator,
        'city' as scope_type,
        c.city_code as scope_code,
        cast(coalesce(sum(t.trainees), 0) as decimal(18, 6)) as value
    from training_years as ty
    cross join city as c
    left join schools as s
        on s.year = ty.year and s.school_level = 'higher' and s.sponsor = 'city'
    left join training as t
        on t.year = ty.year and t.school_code = s.school_code and t.training_type = 'exam_prep'
    group by ty.year, c.city_code
),

standard_set as (
    select
        a.year,
        'city_higher_vocational_standard_set' as indicator,
        'city' as scope_type,
        c.city_code as scope_code,
        cast(max(case when s.school_code is not null and a.standard_per_student_yuan is not null then 1 else 0 end) as decimal(18, 6)) as value
    from {{ ref('stg_submissions__appropriations') }} as a
    cross join city as c
    left join schools as s
        on s.year = a.year and s.school_code = a.school_code and s.school_level = 'higher' and s.sponsor = 'city'
    group by a.year, c.city_code
),

recruitment as (
    select r.year, 'city' as scope_type, c.city_code as scope_code, sum(r.compliant_hires) as compliant_hires, sum(r.rule_hires) as rule_hires
    from {{ ref('recruitment_compliance') }} as r cross join city as c
    group by r.year, c.city_code
    union all
    select r.year, 'county', r.county_code, sum(r.compliant_hires), sum(r.rule_hires)
    from {{ ref('recruitment_compliance') }} as r cross join city as c
    where r.county_code <> c.city_code
    group by r.year, r.county_code
),

recruitment_rate as (
    select
        year,
        'recruitment_compliance_rate' as indicator,
        scope_type,
        scope_code,
        -- null without a hire that a rule applies to
        cast({{ decimal_divide('compliant_hires', 'rule_hires', scale=6, operand_scale=0) }} as decimal(18, 6)) as value
    from recruitment
),

indicators as (
    select * from one_plus_x
    union all select * from comprehensive
    union all select * from off_budget
    union all select * from production_per_student
    union all select * from exam_prep
    union all select * from standard_set
    union all select * from recruitment_rate
),

with_previous as (
    select
        i.*,
        prev.value as previous_value
    from indicators as i
    left join indicators as prev
        on prev.indicator = i.indicator
        and prev.scope_code = i.scope_code
        and prev.year = i.year - 1
)

select
    cast(w.year as {{ dbt.type_int() }}) as year,
    cast(w.indicator as {{ dbt.type_string() }}) as indicator,
    cast(w.scope_code as {{ dbt.type_string() }}) as scope_code,
    cast(w.scope_type as {{ dbt.type_string() }}) as scope_type,
    cast(w.value as decimal(18, 6)) as value,
    cast(w.previous_value as decimal(18, 6)) as previous_value,
    cast(w.value - w.previous_value as decimal(18, 6)) as change,
    cast(
        case r.direction
            when 'increase' then w.value > w.previous_value
            when 'non_decrease' then w.value >= w.previous_value
            when 'zero' then w.value = 0
            when 'positive' then w.value > 0
            when 'equals_one' then w.value = 1
        end as {{ dbt.type_boolean() }}
    ) as direction_met,
    cast(r.indicator_zh as {{ dbt.type_string() }}) as indicator_zh,
    cast(r.direction as {{ dbt.type_string() }}) as direction,
    cast(r.rule as {{ dbt.type_string() }}) as rule,
    cast(r.source_clause as {{ dbt.type_string() }}) as source_clause
from with_previous as w
left join {{ ref('policy_indicator_rules') }} as r
    on r.indicator = w.indicator
    and {{ valid_in_year('r', 'w.year') }}
