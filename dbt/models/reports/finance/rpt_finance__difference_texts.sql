-- 最新报送 what the workbook says about each difference between the approved and the latest
-- figures (marts.approval_differences), with its grain typed as there: a sheet joins its rows
-- to these on the mart's grain columns it shows. changed: 已变更： and the changed columns by
-- their Chinese names, in the order approval_differences lists them; withdrawn and
-- not_approved: a fixed sentence.
with differences as (
    select * from {{ ref('approval_differences') }}
),

names as (
    select * from {{ ref('rpt_finance__mart_columns') }}
),

changed as (
    select
        d.mart,
        d.row_key,
        string_agg(coalesce(n.column_zh, c.column_name), '、' order by c.position) as changed_zh
    from differences as d
    cross join unnest(string_split(d.changed_columns, ', ')) with ordinality as c (column_name, position)
    left join names as n
        on n.mart = d.mart
        and n.column_name = c.column_name
    where c.column_name <> ''
    group by d.mart, d.row_key
)

select
    d.year,
    d.mart,
    coalesce(m.mart_zh, d.mart) as mart_zh,
    d.row_key,
    d.school_code,
    d.county_code,
    d.training_type,
    d.cooperation_type,
    d.income_category,
    d.competition_level,
    d.organizer_type,
    d.role,
    d.person_key,
    d.event_key,
    d.hire_date,
    d.indicator,
    d.scope_code,
    d.difference,
    case d.difference
        when 'not_approved' then '未审批'
        when 'changed' then '已变更'
        when 'withdrawn' then '已撤回'
        else d.difference
    end as difference_zh,
    c.changed_zh,
    case d.difference
        when 'changed' then '已变更：' || coalesce(c.changed_zh, '')
        when 'withdrawn' then '已撤回：最新报送中已无此行'
        else '有未审批的报送'
    end as latest
from differences as d
left join changed as c
    on c.mart = d.mart
    and c.row_key = d.row_key
left join (select distinct mart, mart_zh from names) as m
    on m.mart = d.mart
