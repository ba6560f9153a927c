-- 职业院校 schools per year as the registry gives them, with the county's name: the names
-- every report shows come from here (publishing reads dbt models only).
with schools as (
    select * from {{ ref('stg_submissions__schools') }}
),

counties as (
    select * from {{ ref('ref_counties') }}
)

select
    cast(s.year as {{ dbt.type_int() }}) as year,
    cast(s.school_code as {{ dbt.type_string() }}) as school_code,
    cast(s.school_name as {{ dbt.type_string() }}) as school_name,
    cast(s.county_code as {{ dbt.type_string() }}) as county_code,
    cast(c.county_name as {{ dbt.type_string() }}) as county_name,
    cast(s.school_level as {{ dbt.type_string() }}) as school_level,
    cast(s.sponsor as {{ dbt.type_string() }}) as sponsor,
    cast(s.has_comprehensive_hs as {{ dbt.type_boolean() }}) as has_comprehensive_hs
from schools as s
left join counties as c
    on cast(c.county_code as {{ dbt.type_string() }}) = s.county_code
