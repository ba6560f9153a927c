-- 获奖人-赛项 one row per person, event and year (policy-rules.md §1.4, §1.7): the counted
-- award's attributes and entitlement, with claimed and paid summed over all the
-- person-event's rows, suppressed ones included.
with award_rows as (
    select * from {{ ref('int_award_rows') }}
),

counted as (
    select * from award_rows where is_counted
),

totals as (
    select
        year,
        person_key,
        event_key,
        count(*) as awards,
        sum(case when is_suppressed then 1 else 0 end) as suppressed_awards,
        sum(claimed_yuan) as claimed_yuan,
        sum(paid_yuan) as paid_yuan,
        sum(paid_without_approval_yuan) as paid_without_approval_yuan,
        max(case when review_key = 'prize_other' then 1 else 0 end) as has_prize_other,
        max(case when review_key = 'no_standard' then 1 else 0 end) as has_no_standard,
        {{ dbt.listagg('suppression_reason', "'; '", 'order by submission_id, source_row_number') }} as suppressed_reasons
    from award_rows
    group by year, person_key, event_key
),

joined as (
    select
        c.year,
        c.person_key,
        c.event_key,
        c.event_name,
        c.school_code,
        c.role,
        c.competition_name,
        c.competition_level,
        c.organizer_type,
        c.prize,
        c.award_date,
        c.standard_level,
        c.standard_yuan,
        c.organizer_factor,
        c.entitled_yuan,
        {{ to_money('t.claimed_yuan') }} as claimed_yuan,
        {{ to_money('t.paid_yuan') }} as paid_yuan,
        {{ to_money('t.paid_without_approval_yuan') }} as paid_without_approval_yuan,
        c.is_hr_approved as approved,
        c.hr_approval_no,
        cast(t.awards as {{ dbt.type_bigint() }}) as awards,
        cast(t.suppressed_awards as {{ dbt.type_bigint() }}) as suppressed_awards,
        t.suppressed_reasons,
        (t.has_prize_other = 1 or t.has_no_standard = 1) as needs_review,
        nullif(concat_ws('；', case
            when t.has_prize_other = 1 and t.has_no_standard = 1
                then '含获奖等级为其他的奖项及无标准奖项，待人工审核 prize other and award without standard: manual review'
            when t.has_prize_other = 1
                then '含获奖等级为其他的奖项（特等奖、优秀奖等），待人工审核 prize other: listed for manual review'
            when t.has_no_standard = 1
                then '含该年度无奖励标准的奖项，待人工审核 award without a standard in force: manual review'
        end,
        -- the counted award is a 特等奖: entitled at the first-prize amount (policy-rules.md §1.3)
        case when c.review_key = 'prize_special' then '特等奖按一等奖标准计发（政策未单列）' end), '') as review_reason,
        c.submission_id as counted_submission_id,
        c.source_row_number as counted_source_row_number
    from counted as c
    inner join totals as t
        on t.year = c.year
        and t.person_key = c.person_key
        and t.event_key = c.event_key
)

select
    joined.*,
    (claimed_yuan > entitled_yuan) as over_claim,
    (claimed_yuan < entitled_yuan) as under_claim,
    (paid_yuan > entitled_yuan) as overpaid,
    (paid_without_approval_yuan > 0) as paid_without_approval,
    {{ to_money('case when claimed_yuan > entitled_yuan then claimed_yuan - entitled_yuan else 0 end') }} as over_claim_yuan,
    {{ to_money('case when claimed_yuan < entitled_yuan then entitled_yuan - claimed_yuan else 0 end') }} as under_claim_yuan,
    {{ to_money('case when paid_yuan > entitled_yuan then paid_yuan - entitled_yuan else 0 end') }} as overpaid_yuan
from joined
