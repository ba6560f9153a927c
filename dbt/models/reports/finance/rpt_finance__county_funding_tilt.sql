-- Sheet 县区经费倾斜: the approved county funding tilt of each county (and the city), with
-- the county's name and 最新报送.
with tilt as (
    select * from {{ ref('county_funding_tilt') }}
),

counties as (
    select county_code, county_name from {{ ref('rpt_finance__county_names') }}
),

latest as (
    select * from {{ ref('rpt_finance__difference_texts') }} where mart = 'county_funding_tilt'
)

select
    t.year,
    row_number() over (partition by t.year order by t.county_code) as row_order,
    false as is_total,
    t.county_code,
    coalesce(nullif(t.county_name, ''), c.county_name, '') as county_name,
    t.education_budget_yuan,
    t.vocational_budget_yuan,
    t.increment_total_yuan,
    t.increment_vocational_yuan,
    t.previous_vocational_share,
    t.increment_vocational_share,
    t.tilted,
    d.latest
from tilt as t
left join counties as c on c.county_code = t.county_code
left join latest as d
    on d.year = t.year
    and d.county_code is not distinct from t.county_code
