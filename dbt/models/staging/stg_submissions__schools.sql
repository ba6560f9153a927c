-- 职业院校名录 the school registry, one row per school and year.
with source as (
    select * from {{ source('submissions', 'school_registry') }}
)

select
    cast(year as {{ dbt.type_int() }}) as year,
    cast(school_code as {{ dbt.type_string() }}) as school_code,
    cast(school_name as {{ dbt.type_string() }}) as school_name,
    cast(county_code as {{ dbt.type_string() }}) as county_code,
    cast(school_level as {{ dbt.type_string() }}) as school_level,
    cast(sponsor as {{ dbt.type_string() }}) as sponsor,
    cast(has_comprehensive_hs as {{ dbt.type_boolean() }}) as has_comprehensive_hs,
    {{ submission_lineage() }}
from source
