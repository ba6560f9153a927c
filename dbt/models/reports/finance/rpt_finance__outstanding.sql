{#-
    Sheet 催报清单: what is still owed in the year's collection rounds (missing, or only
    rejected), by chasing county, from the latest build's marts.submission_status (the round's
    status reads the review log, not figures, so that mart belongs to the latest build, which
    runs first; it is read by name, as a ref would point into this build). The HTML page
    reports/outstanding_<year>.html and the receipts read these rows too (publish/rounds.py).
-#}
-- depends_on: {{ ref('approval_differences') }}
{#- (approval_differences+ is what every incremental approved build rebuilds, transform/build.py:
    the round's status changes with any review action, so this list is rebuilt with it.) -#}
{%- set status = adapter.get_relation(database=this.database, schema='marts', identifier='submission_status') if execute else none %}

with counties as (
    select county_code, county_name from {{ ref('rpt_finance__county_names') }}
),

names as (
    select * from {{ ref('rpt_finance__school_names') }}
),

owed as (
{%- if status is not none %}
    select * from {{ status }} where status in ('missing', 'rejected')
{%- else %}
    select
        cast(null as integer) as year,
        cast(null as varchar) as template,
        cast(null as varchar) as template_zh,
        cast(null as varchar) as submitter_code,
        cast(null as varchar) as county_code,
        cast(null as varchar) as chased_by_code,
        cast(null as varchar) as status,
        cast(null as varchar) as status_zh,
        cast(null as boolean) as is_late,
        cast(null as date) as opens_on,
        cast(null as date) as deadline
    where false
{%- endif %}
)

select
    o.year,
    row_number() over (partition by o.year order by o.chased_by_code, o.template, o.submitter_code) as row_order,
    false as is_total,
    coalesce(cc.county_name, o.chased_by_code) as chased_by_name,
    o.template_zh,
    o.submitter_code,
    coalesce(ns.school_name, nl.school_name, sc.county_name, '') as submitter_name,
    o.status_zh,
    cast(o.deadline as varchar) as deadline,
    o.is_late,
    o.template,
    o.chased_by_code,
    o.status,
    o.opens_on
from owed as o
left join counties as cc on cc.county_code = o.chased_by_code
left join counties as sc on sc.county_code = o.submitter_code
left join names as ns on ns.school_code = o.submitter_code and ns.year = o.year
left join names as nl on nl.school_code = o.submitter_code and nl.year is null
