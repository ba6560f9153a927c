-- Sheet 培训目标, second table: the year's approved training volume summed per training type
-- over the schools (types in template order, by their Chinese labels), with 最新报送
-- collecting the differences of every school row a type sums, and one 合计 row per year.
with volume as (
    select * from {{ ref('training_volume') }}
),

labels as (
    select code, label_zh, position from {{ ref('rpt_finance__code_labels') }} where column_name = 'training_type'
),

latest as (
    -- one text per type: each distinct sentence once, in the order of the first row it is about
    select year, training_type, string_agg(latest, '；' order by first_row_key) as latest
    from (
        select year, training_type, latest, min(row_key) as first_row_key
        from {{ ref('rpt_finance__difference_texts') }}
        where mart = 'training_volume'
        group by year, training_type, latest
    )
    group by year, training_type
),

per_type as (
    select
        year,
        training_type,
        count(distinct school_code) as schools,
        sum(programs) as programs,
        sum(trainees) as trainees,
        sum(trainee_hours) as trainee_hours,
        sum(income_yuan) as income_yuan
    from volume
    group by year, training_type
),

rows as (
    select
        t.year,
        row_number() over (partition by t.year order by coalesce(l.position, 99), t.training_type) as row_order,
        false as is_total,
        coalesce(l.label_zh, t.training_type) as training_type,
        cast(t.schools as bigint) as schools,
        cast(t.programs as bigint) as programs,
        cast(t.trainees as bigint) as trainees,
        cast(t.trainee_hours as decimal(18, 2)) as trainee_hours,
        cast(t.income_yuan as decimal(18, 2)) as income_yuan,
        d.latest,
        t.training_type as training_type_code
    from per_type as t
    left join labels as l on l.code = t.training_type
    left join latest as d
        on d.year = t.year
        and d.training_type is not distinct from t.training_type
)

select * from rows
union all
select
    year,
    count(*) + 1 as row_order,
    true as is_total,
    null as training_type,
    null as schools,
    cast(coalesce(sum(programs), 0) as bigint) as programs,
    cast(coalesce(sum(trainees), 0) as bigint) as trainees,
    cast(coalesce(sum(trainee_hours), 0) as decimal(18, 2)) as trainee_hours,
    cast(coalesce(sum(income_yuan), 0) as decimal(18, 2)) as income_yuan,
    null as latest,
    null as training_type_code
from rows
group by year
