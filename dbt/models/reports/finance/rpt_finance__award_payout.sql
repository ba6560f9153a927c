-- Sheet 奖励发放名单: the payout list (restricted.award_payout, names and masked ID numbers:
-- personal data, schema reports is never copied to BI) numbered per year by school and name,
-- with codes by their Chinese labels, remarks in words, 最新报送 of the person-event in
-- award_entitlements, and one 合计 row per year.
with payout as (
    select * from {{ ref('award_payout') }}
),

labels as (
    select * from {{ ref('rpt_finance__code_labels') }}
),

latest as (
    select * from {{ ref('rpt_finance__difference_texts') }} where mart = 'award_entitlements'
),

rows as (
    select
        p.year,
        row_number() over (
            partition by p.year order by p.school_code, p.person_name, p.person_key, p.event_name, p.event_key
        ) as row_order,
        false as is_total,
        row_number() over (
            partition by p.year order by p.school_code, p.person_name, p.person_key, p.event_name, p.event_key
        ) as seq,
        p.school_code,
        p.school_name,
        p.person_name,
        p.id_masked,
        coalesce(lr.label_zh, p.role) as role,
        p.competition_name,
        p.event_name,
        coalesce(ll.label_zh, p.competition_level) as competition_level,
        coalesce(lo.label_zh, p.organizer_type) as organizer_type,
        coalesce(lp.label_zh, p.prize) as prize,
        p.entitled_yuan,
        p.paid_yuan,
        p.to_pay_yuan,
        p.overpaid_yuan,
        p.paid_without_approval_yuan,
        p.hr_approval_no,
        concat_ws(
            '；',
            case when p.prize = 'other' then '其他奖项，需人工审核' end,
            case
                when coalesce(p.paid_without_approval_yuan, 0) <> 0 then '未经人社局批准已发放'
                when not coalesce(p.approved, false) and coalesce(p.to_pay_yuan, 0) <> 0 then '待人社局批准后发放'
            end,
            case when coalesce(p.overpaid_yuan, 0) <> 0 then '多发，应追回' end,
            case when p.suppressed_awards > 0 then '同赛项另有 ' || p.suppressed_awards || ' 项获奖不重复奖励' end
        ) as remarks,
        d.latest,
        p.person_key,
        p.event_key
    from payout as p
    left join labels as lr on lr.column_name = 'role' and lr.code = p.role
    left join labels as ll on ll.column_name = 'competition_level' and ll.code = p.competition_level
    left join labels as lo on lo.column_name = 'organizer_type' and lo.code = p.organizer_type
    left join labels as lp on lp.column_name = 'prize' and lp.code = p.prize
    left join latest as d
        on d.year = p.year
        and d.person_key is not distinct from p.person_key
        and d.event_key is not distinct from p.event_key
)

select * from rows
union all
select
    year,
    count(*) + 1 as row_order,
    true as is_total,
    null as seq,
    null as school_code,
    null as school_name,
    null as person_name,
    null as id_masked,
    null as role,
    null as competition_name,
    null as event_name,
    null as competition_level,
    null as organizer_type,
    null as prize,
    cast(coalesce(sum(entitled_yuan), 0) as decimal(18, 2)) as entitled_yuan,
    cast(coalesce(sum(paid_yuan), 0) as decimal(18, 2)) as paid_yuan,
    cast(coalesce(sum(to_pay_yuan), 0) as decimal(18, 2)) as to_pay_yuan,
    cast(coalesce(sum(overpaid_yuan), 0) as decimal(18, 2)) as overpaid_yuan,
    cast(coalesce(sum(paid_without_approval_yuan), 0) as decimal(18, 2)) as paid_without_approval_yuan,
    null as hr_approval_no,
    null as remarks,
    null as latest,
    null as person_key,
    null as event_key
from rows
group by year
