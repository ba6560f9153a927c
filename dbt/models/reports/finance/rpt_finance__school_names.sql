-- 学校名称 the names the sheets show for schools: one row per school and registry year (the
-- latest figures' marts.schools: a name is not a figure to approve), and one row per school
-- with year null holding its name in the most recent year. A sheet takes the name of the
-- row's year, else the most recent one. Ephemeral: a lookup for the sheets.
{{ config(materialized='ephemeral') }}

with schools as (
    select year, school_code, school_name from {{ latest_relation('schools') }}
)

select year, school_code, school_name
from schools
union all
select cast(null as integer) as year, school_code, arg_max(school_name, year) as school_name
from schools
group by school_code
