-- 职业教育活动周及技能开放日 publicity events (三(四); added 2026-12), one row per event as
-- submitted by a school (10-digit code) or a county (6-digit code, 220200 for the city).
with source as (
    select * from {{ source('submissions', 'publicity_events') }}
)

select
    cast(year as {{ dbt.type_int() }}) as year,
    cast(submitter_code as {{ dbt.type_string() }}) as submitter_code,
    cast(event_name as {{ dbt.type_string() }}) as event_name,
    cast(event_type as {{ dbt.type_string() }}) as event_type,
    cast(start_date as date) as start_date,
    cast(end_date as date) as end_date,
    cast(participants as {{ dbt.type_bigint() }}) as participants,
    cast(audience as {{ dbt.type_string() }}) as audience,
    {{ submission_lineage() }}
from source
