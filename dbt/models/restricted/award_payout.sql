-- 技能大赛奖励发放名单 the award payout list, on the approved figures (issue 10: finance pays
-- against what the city approved and locked): one row per year, person and event, with the
-- name and masked ID number of the counted award's row (personal data: schema restricted,
-- never in the BI snapshot). Every amount is award_entitlements' own; only what is still
-- to pay is computed, here in SQL.
with entitlements as (
    select * from {{ ref('award_entitlements') }}
),

person_events as (
    select year, person_key, event_key, counted_submission_id, counted_source_row_number
    from {{ ref('int_award_person_events') }}
),

recipients as (
    select * from {{ ref('stg_submissions__award_recipients') }}
),

schools as (
    select * from {{ ref('schools') }}
)

select
    e.year,
    e.school_code,
    sch.school_name,
    e.county_code,
    e.person_key,
    r.person_name,
    r.id_masked,
    e.role,
    e.competition_name,
    e.event_key,
    e.event_name,
    e.competition_level,
    e.organizer_type,
    e.prize,
    e.entitled_yuan,
    e.claimed_yuan,
    e.paid_yuan,
    {{ to_money('case when e.entitled_yuan > e.paid_yuan then e.entitled_yuan - e.paid_yuan else 0 end') }} as to_pay_yuan,
    e.overpaid_yuan,
    e.paid_without_approval_yuan,
    e.approved,
    e.hr_approval_no,
    e.suppressed_awards,
    e.needs_review
from entitlements as e
inner join person_events as pe
    on pe.year = e.year
    and pe.person_key = e.person_key
    and pe.event_key = e.event_key
left join recipients as r
    on r.submission_id = pe.counted_submission_id
    and r.source_row_number = pe.counted_source_row_number
left join schools as sch
    on sch.year = e.year
    and sch.school_code = e.school_code
