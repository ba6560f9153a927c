-- Sheet 大赛奖励: one row per person and event of the approved award_entitlements, with the
-- school's name, codes by their Chinese labels, the findings in words (每项金额都是 the
-- mart's own, judged there row by row), 最新报送, and one 合计 row per year.
with entitlements as (
    select * from {{ ref('award_entitlements') }}
),

names as (
    select * from {{ ref('rpt_finance__school_names') }}
),

labels as (
    select * from {{ ref('rpt_finance__code_labels') }}
),

latest as (
    select * from {{ ref('rpt_finance__difference_texts') }} where mart = 'award_entitlements'
),

rows as (
    select
        e.year,
        row_number() over (partition by e.year order by e.school_code, e.person_key, e.event_key) as row_order,
        false as is_total,
        e.school_code,
        coalesce(ns.school_name, nl.school_name) as school_name,
        left(coalesce(e.person_key, ''), 16) as person_ref,
        coalesce(nullif(e.event_name, ''), e.event_key) as event_label,
        coalesce(lr.label_zh, e.role) as role,
        coalesce(ll.label_zh, e.competition_level) as competition_level,
        coalesce(lo.label_zh, e.organizer_type) as organizer_type,
        coalesce(lp.label_zh, e.prize) as prize,
        e.entitled_yuan,
        e.claimed_yuan,
        e.paid_yuan,
        e.over_claim_yuan,
        e.under_claim_yuan,
        e.overpaid_yuan,
        e.approved,
        e.paid_without_approval_yuan,
        e.suppressed_awards,
        concat_ws(
            '；',
            case
                when e.prize = 'other' then '其他奖项，无奖励标准，需人工审核'
                when e.needs_review then '无奖励标准，需人工审核'
            end,
            case
                when e.over_claim then '多报 ' || format('{:,.2f}', cast(e.over_claim_yuan as double)) || ' 元'
                when e.under_claim then '少报 ' || format('{:,.2f}', cast(e.under_claim_yuan as double)) || ' 元'
            end,
            case when e.overpaid then '多发 ' || format('{:,.2f}', cast(e.overpaid_yuan as double)) || ' 元' end,
            case
                when e.paid_without_approval
                    then '未经人社局批准发放 ' || format('{:,.2f}', cast(e.paid_without_approval_yuan as double)) || ' 元'
            end,
            case when e.suppressed_awards > 0 then '另有 ' || e.suppressed_awards || ' 项同赛项获奖不重复奖励' end
        ) as findings,
        d.latest,
        e.person_key,
        e.event_key
    from entitlements as e
    left join names as ns on ns.school_code = e.school_code and ns.year = e.year
    left join names as nl on nl.school_code = e.school_code and nl.year is null
    left join labels as lr on lr.column_name = 'role' and lr.code = e.role
    left join labels as ll on ll.column_name = 'competition_level' and ll.code = e.competition_level
    left join labels as lo on lo.column_name = 'organizer_type' and lo.code = e.organizer_type
    left join labels as lp on lp.column_name = 'prize' and lp.code = e.prize
    left join latest as d
        on d.year = e.year
        and d.person_key is not distinct from e.person_key
        and d.event_key is not distinct from e.event_key
)

select * from rows
union all
select
    year,
    count(*) + 1 as row_order,
    true as is_total,
    null as school_code,
    null as school_name,
    null as person_ref,
    null as event_label,
    null as role,
    null as competition_level,
    null as organizer_type,
    null as prize,
    cast(coalesce(sum(entitled_yuan), 0) as decimal(18, 2)) as entitled_yuan,
    cast(coalesce(sum(claimed_yuan), 0) as decimal(18, 2)) as claimed_yuan,
    cast(coalesce(sum(paid_yuan), 0) as decimal(18, 2)) as paid_yuan,
    cast(coalesce(sum(over_claim_yuan), 0) as decimal(18, 2)) as over_claim_yuan,
    cast(coalesce(sum(under_claim_yuan), 0) as decimal(18, 2)) as under_claim_yuan,
    cast(coalesce(sum(overpaid_yuan), 0) as decimal(18, 2)) as overpaid_yuan,
    null as approved,
    cast(coalesce(sum(paid_without_approval_yuan), 0) as decimal(18, 2)) as paid_without_approval_yuan,
    cast(coalesce(sum(suppressed_awards), 0) as bigint) as suppressed_awards,
    null as findings,
    null as latest,
    null as person_key,
    null as event_key
from rows
group by year
