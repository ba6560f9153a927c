{{ config(severity='warn') }}
-- Every year that has data must have the policy parameters its rules need (a seed row whose
-- valid_from_year..valid_to_year covers it). A gap does not stop the build: awards without a
-- standard are entitled 0 and listed for review, funding flags turn null (and fail not_null).
-- The labor-enlightenment target is left out: it exists only for its plan period.
with funding_years as (
    select distinct year from {{ ref('stg_submissions__appropriations') }}
),

partnership_years as (
    select distinct year from {{ ref('stg_submissions__partnership_incomes') }}
),

award_years as (
    select distinct year from {{ ref('stg_submissions__competition_awards') }}
),

parameters as (
    select * from {{ ref('policy_parameters') }}
),

needed as (
    select y.year, p.parameter
    from funding_years as y
    cross join (
        select 'below_standard_tolerance_yuan' as parameter
        union all select 'offset_tolerance_ratio'
        union all select 'offset_tolerance_min_yuan'
    ) as p

    union all

    select year, 'production_base_cycle_years' as parameter
    from partnership_years
),

missing_parameters as (
    select n.year, n.parameter as missing
    from needed as n
    left join parameters as p
        on p.parameter = n.parameter
        and {{ valid_in_year('p', 'n.year') }}
    where p.parameter is null
),

missing_award_tiers as (
    select y.year, {{ dbt.concat(["'award level tier: '", "l.competition_level"]) }} as missing
    from award_years as y
    cross join (select distinct competition_level from {{ ref('policy_award_level_tiers') }}) as l
    left join {{ ref('policy_award_level_tiers') }} as t
        on t.competition_level = l.competition_level
        and {{ valid_in_year('t', 'y.year') }}
    where t.competition_level is null
),

missing_award_standards as (
    select y.year, {{ dbt.concat(["'award standard: '", "k.standard_level", "'/'", "k.prize"]) }} as missing
    from award_years as y
    cross join (select distinct standard_level, prize from {{ ref('policy_award_standards') }}) as k
    left join {{ ref('policy_award_standards') }} as s
        on s.standard_level = k.standard_level
        and s.prize = k.prize
        and {{ valid_in_year('s', 'y.year') }}
    where s.standard_level is null
),

missing_award_factors as (
    select y.year, {{ dbt.concat(["'organizer factor: '", "o.organizer_type"]) }} as missing
    from award_years as y
    cross join (select distinct organizer_type from {{ ref('policy_award_organizer_factors') }}) as o
    left join {{ ref('policy_award_organizer_factors') }} as f
        on f.organizer_type = o.organizer_type
        and {{ valid_in_year('f', 'y.year') }}
    where f.organizer_type is null
)

select * from missing_parameters
union all select * from missing_award_tiers
union all select * from missing_award_standards
union all select * from missing_award_factors
