-- 政策指标 the policy indicators of policy-rules.md §7 in one long table: one row per year,
-- indicator and scope (city 220200, county or school), with the previous year's value of the
-- same scope, the change, and whether the direction the policy asks for is met. Clauses and
-- directions live in seed policy_indicator_rules (one row per indicator).
-- Which scopes a year has: city and every county with a registered school that year
-- (a school registered under the city's own code counts for the city only); school scopes
-- are the schools with the figure's submissions.
-- Unknown is not "no" (policy-rules.md §7, added 2026-12): where an indicator's input is
-- missing for its scope and year, the value is null, and so are the change and direction_met.
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

-- programme rows with the school's county: the 1+X certificates are counted per row
training_rows as (
    select t.year, t.school_code, sch.county_code, t.training_type, t.trainees, t.certificate_key
    from {{ ref('stg_submissions__trainings') }} as t
    left join schools as sch
        on sch.year = t.year and sch.school_code = t.school_code
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

-- every training row of each city and county scope; a scope without any has no input (null)
scope_training as (
    select a.year, a.scope_type, a.scope_code, t.school_code, t.training_type, t.trainees, t.certificate_key
    from area_scopes as a
    inner join training_years as ty on ty.year = a.year
    left join training_rows as t
        on t.year = a.year
        and (a.scope_type = 'city' or t.county_code = a.scope_code)
),

one_plus_x as (
    select
        year,
        'one_plus_x_trainees' as indicator,
        scope_type,
        scope_code,
        -- 0 when the scope's schools trained but not for 1+X; null when none of them sent training
        cast(
            case when count(school_code) > 0 then coalesce(sum(case when training_type = 'one_plus_x' then trainees end), 0) end
            as decimal(18, 6)
        ) as value
    from scope_training
    group by year, scope_type, scope_code
),

-- 二(二) 扩大"1+X"证书引进范围: distinct certificates (by certificate_key, NFKC without white
-- space); null when a 1+X row lacks the name (older files lack the column) or nobody trained
one_plus_x_certificates as (
    select
        year,
        'one_plus_x_certificate_types' as indicator,
        scope_type,
        scope_code,
        cast(
            case
                when count(school_code) = 0 then null
                when count(case when training_type = 'one_plus_x' and certificate_key is null then 1 end) > 0 then null
                else count(distinct case when training_type = 'one_plus_x' then certificate_key end)
            end as decimal(18, 6)
        ) as value
    from scope_training
    group by year, scope_type, scope_code
),

comprehensive as (
    select
        a.year,
        'comprehensive_high_schools' as indicator,
        a.scope_type,
        a.scope_code,
        -- null when any 中职 school of the scope has the column empty or missing (unknown is not "no")
        cast(
            case when count(s.school_code) filter (where s.has_comprehensive_hs is null) = 0
                then count(s.school_code) filter (where s.has_comprehensive_hs) end
            as decimal(18, 6)
        ) as value
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
    -- 0 off-budget with income not declared either way is unknown, not "all in the budget"
    select year, 'training_income_off_budget_yuan' as indicator, 'school' as scope_type, school_code as scope_code,
        cast(case when off_budget_income_yuan > 0 or undeclared_income_yuan = 0 then off_budget_income_yuan end as decimal(18, 6)) as value
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
        -- null when no 市属高职 sent training that year (nothing to count from)
        cast(case when count(t.school_code) > 0 then sum(case when t.training_type = 'exam_prep' then t.trainees else 0 end) end as decimal(18, 6))
            as value
    from training_years as ty
    cross join city as c
    left join schools as s
        on s.year = ty.year and s.school_level = 'higher' and s.sponsor = 'city'
    left join training as t
        on t.year = ty.year and t.school_code = s.school_code
    group by ty.year, c.city_code
),

standard_set as (
    select
        a.year,
        'city_higher_vocational_standard_set' as indicator,
        'city' as scope_type,
        c.city_code as scope_code,
        -- null without the city's own (220200) appropriation file: the city funds 市属高职
        cast(
            case when count(*) filter (where a.funder_code = c.city_code) > 0
                then max(case when s.school_code is not null and a.standard_per_student_yuan is not null then 1 else 0 end) end
            as decimal(18, 6)
        ) as value
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

-- 三(四) 职教宣传周、技能开放日: events sent by the scope's schools and by the county itself
-- (the city: every event); years with any publicity_events submission; a scope nobody of
-- which sent one is null (the template is owed by nobody: no file is not "no events")
events as (
    select
        e.year,
        e.participants,
        coalesce(sch.county_code, e.submitter_code) as county_code
    from {{ ref('stg_submissions__publicity_events') }} as e
    left join schools as sch
        on sch.year = e.year and sch.school_code = e.submitter_code
),

event_scopes as (
    select distinct e.year, 'city' as scope_type, c.city_code as scope_code
    from events as e cross join city as c
    union
    select distinct e.year, 'county', s.county_code
    from (select distinct year from events) as e
    inner join schools as s on s.year = e.year
    cross join city as c
    where s.county_code <> c.city_code
    union
    select distinct e.year, 'county', e.county_code
    from events as e cross join city as c
    where e.county_code <> c.city_code
),

publicity as (
    select a.year, 'publicity_events' as indicator, a.scope_type, a.scope_code,
        cast(case when count(e.year) > 0 then count(e.year) end as decimal(18, 6)) as value
    from event_scopes as a
    left join events as e
        on e.year = a.year and (a.scope_type = 'city' or e.county_code = a.scope_code)
    group by a.year, a.scope_type, a.scope_code
    union all
    select a.year, 'publicity_participants', a.scope_type, a.scope_code,
        cast(sum(e.participants) as decimal(18, 6))
    from event_scopes as a
    left join events as e
        on e.year = a.year and (a.scope_type = 'city' or e.county_code = a.scope_code)
    group by a.year, a.scope_type, a.scope_code
),

indicators as (
    select * from one_plus_x
    union all select * from one_plus_x_certificates
    union all select * from publicity
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
