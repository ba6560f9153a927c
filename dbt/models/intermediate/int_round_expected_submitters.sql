-- 填报任务 every round (template, year) and who owes it (issue 10):
--   school templates: every school in that year's registry;
--   county templates: the nine counties and the city (ref_counties);
--   appropriation (funder): the funding government of each public school that year, the
--     county for a county-run school, 220200 for a city-run one (submission-templates.md);
--     a private school gets no 生均拨款 and adds no funder;
--   the registry itself: the city.
-- Rounds run for every year the registry knows (and any year of a collection_rounds row);
-- collection_rounds overrides the default dates (opens 1 Jan, due 31 Mar of the following year).
-- chased_by_code: whose 催报 list the row goes on (a city-run school is chased by the city).
with templates as (
    select * from {{ ref('stg_audit__template_submitters') }}
),

schools as (
    select * from {{ ref('stg_submissions__schools') }}
),

counties as (
    select * from {{ ref('ref_counties') }}
),

-- A year has rounds once its registry is loaded (the registry says who owes the school
-- templates); a row in collection_rounds opens a round for another year. A sheet received
-- for a year without a registry (a county's previous-year budget, a typo) opens none.
years as (
    select distinct year from schools
    union
    select distinct year from {{ ref('collection_rounds') }}
),

expected as (
    select t.template, t.template_zh, s.year, s.school_code as submitter_code, s.county_code,
        case when s.sponsor = 'city' then '{{ var("city_code", "220200") }}' else s.county_code end as chased_by_code
    from templates as t
    inner join schools as s on t.submitter_kind = 'school'

    union all
    select t.template, t.template_zh, y.year, c.county_code, c.county_code, c.county_code
    from templates as t
    cross join years as y
    cross join counties as c
    where t.submitter_kind = 'county'

    union all
    select distinct t.template, t.template_zh, s.year,
        case when s.sponsor = 'city' then '{{ var("city_code", "220200") }}' else s.county_code end,
        case when s.sponsor = 'city' then '{{ var("city_code", "220200") }}' else s.county_code end,
        case when s.sponsor = 'city' then '{{ var("city_code", "220200") }}' else s.county_code end
    from templates as t
    inner join schools as s on t.submitter_kind = 'funder' and s.sponsor in ('city', 'county')

    union all
    select t.template, t.template_zh, y.year, '{{ var("city_code", "220200") }}', '{{ var("city_code", "220200") }}',
        '{{ var("city_code", "220200") }}'
    from templates as t
    cross join years as y
    where t.submitter_kind = 'city'
)

select
    e.template,
    e.template_zh,
    e.year,
    e.submitter_code,
    e.county_code,
    e.chased_by_code,
    coalesce(r.opens_on, cast(cast(e.year + 1 as varchar) || '-01-01' as date)) as opens_on,
    coalesce(r.deadline, cast(cast(e.year + 1 as varchar) || '-03-31' as date)) as deadline
from expected as e
left join {{ ref('collection_rounds') }} as r
    on r.template = e.template and r.year = e.year
