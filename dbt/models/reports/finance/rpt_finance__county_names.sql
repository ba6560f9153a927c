{#-
    县区名称 the county names the sheets show: the seed ref_counties, plus the counties of the
    CSV named by the environment variable VOCWH_COUNTIES_FILE (a province's further
    county-level codes, in the seed's columns) that the seed lacks, as
    dagster_project/core/codes.py reads them for Python. Ephemeral: a lookup for the sheets.
-#}
{{ config(materialized='ephemeral') }}
{%- set extra = env_var('VOCWH_COUNTIES_FILE', '') | trim %}

with seed as (
    select cast(county_code as varchar) as county_code, cast(county_name as varchar) as county_name
    from {{ ref('ref_counties') }}
)

select county_code, county_name from seed
{%- if extra %}
union all
select trim(x.county_code) as county_code, trim(x.county_name) as county_name
from read_csv('{{ extra | replace("'", "''") }}', header = true, all_varchar = true) as x
where trim(x.county_code) not in (select county_code from seed)
qualify row_number() over (partition by trim(x.county_code) order by trim(x.county_name)) = 1
{%- endif %}
