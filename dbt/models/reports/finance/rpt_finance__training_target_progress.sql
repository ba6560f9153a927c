-- Sheet 培训目标, first table: the approved labor-enlightenment target progress of each year,
-- with 最新报送. The workbook of a year shows every year up to it (meta rows: up_to_year).
with progress as (
    select * from {{ ref('training_target_progress') }}
),

latest as (
    select * from {{ ref('rpt_finance__difference_texts') }} where mart = 'training_target_progress'
)

select
    p.year,
    cast(p.year as bigint) as row_order,
    false as is_total,
    p.labor_enlightenment_trainees,
    p.average_to_date,
    p.target,
    p.year_met,
    p.average_met,
    d.latest
from progress as p
left join latest as d on d.year = p.year
