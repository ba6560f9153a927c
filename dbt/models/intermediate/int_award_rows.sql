-- 获奖记录（按行）award rows with their standard, de-duplication and entitlement, one row per
-- submitted award row (policy-rules.md §1). Grain: submission_id, source_row_number.
--
-- For the finance payout audit: names are not here (personal data). Join them from
-- submissions.competition_awards on submission_id and row_number = source_row_number.
with awards as (
    select * from {{ ref('stg_submissions__competition_awards') }}
),

level_tiers as (
    select * from {{ ref('policy_award_level_tiers') }}
),

standards as (
    select * from {{ ref('policy_award_standards') }}
),

organizer_factors as (
    select * from {{ ref('policy_award_organizer_factors') }}
),

-- §1.1-1.3: the same standard for every role; international read as the national tier;
-- social organizers get the standard times their factor (half); prize other has no standard;
-- 特等奖 (special) has its own seed rows, at the first-prize amount, and a finding saying so.
-- Instructors get nothing where the organizer's instructors_awarded parameter is false.
priced as (
    select
        a.year,
        a.person_key,
        a.event_key,
        a.school_code,
        a.role,
        a.competition_name,
        a.competition_level,
        a.organizer_type,
        a.event_name,
        a.prize,
        a.award_date,
        a.claimed_yuan,
        a.paid_yuan,
        a.hr_approval_no,
        a.is_hr_approved,
        a.submission_id,
        a.source_row_number,
        tier.standard_level,
        std.standard_yuan,
        fct.factor as organizer_factor,
        -- 二(七) names instructors only for 职业院校技能大赛; for social organizers the seed
        -- parameter instructors_awarded decides (default true: the halved standard, like students)
        (a.role = 'instructor' and not fct.instructors_awarded) as is_role_excluded,
        {{ to_money("case when a.role = 'instructor' and not fct.instructors_awarded then 0 else coalesce(std.standard_yuan * fct.factor, 0) end") }} as award_value_yuan,
        case
            when a.prize = 'other' then 'prize_other'
            when std.standard_yuan is null or fct.factor is null or fct.instructors_awarded is null then 'no_standard'
            when a.prize = 'special' then 'prize_special'
        end as review_key
    from awards as a
    left join level_tiers as tier
        on tier.competition_level = a.competition_level
        and {{ valid_in_year('tier', 'a.year') }}
    left join standards as std
        on std.standard_level = tier.standard_level
        and std.prize = a.prize
        and {{ valid_in_year('std', 'a.year') }}
    left join organizer_factors as fct
        on fct.organizer_type = a.organizer_type
        and {{ valid_in_year('fct', 'a.year') }}
),

-- §1.4: one award per person, event and year; the highest value counts. Ties are broken
-- by the earliest award date, then submission and row, so the result is deterministic.
ranked as (
    select
        priced.*,
        row_number() over (
            partition by year, person_key, event_key
            order by award_value_yuan desc, award_date, submission_id, source_row_number
        ) as rank_in_person_event
    from priced
),

counted as (
    select * from ranked where rank_in_person_event = 1
),

final as (
    select
        r.year,
        r.person_key,
        r.event_key,
        r.school_code,
        r.role,
        r.competition_name,
        r.competition_level,
        r.organizer_type,
        r.event_name,
        r.prize,
        r.award_date,
        r.standard_level,
        r.standard_yuan,
        r.organizer_factor,
        r.award_value_yuan,
        r.is_role_excluded,
        case
            when r.is_role_excluded then {{ dbt.concat([
                "'指导教师不在该类竞赛奖励范围内（政策参数 instructors_awarded = false），奖励为0 instructor not awarded for organizer type '",
                "r.organizer_type", "' (seed policy_award_organizer_factors.instructors_awarded = false)'"
            ]) }}
        end as exclusion_reason,
        (r.rank_in_person_event = 1) as is_counted,
        (r.rank_in_person_event > 1) as is_suppressed,
        case
            when r.rank_in_person_event > 1 then {{ dbt.concat([
                "'同一人同年同一赛项重复获奖，按最高奖项奖励，本条不重复奖励 duplicate award (same person, event and year), only the highest counts; counted: '",
                "c.competition_level", "'/'", "c.organizer_type", "'/'", "c.prize", "' '",
                "cast(c.award_value_yuan as " ~ dbt.type_string() ~ ")",
                "' ('", "c.submission_id", "' #'", "cast(c.source_row_number as " ~ dbt.type_string() ~ ")", "')'"
            ]) }}
        end as suppression_reason,
        c.submission_id as counted_submission_id,
        c.source_row_number as counted_source_row_number,
        {{ to_money("case when r.rank_in_person_event = 1 then r.award_value_yuan else 0 end") }} as entitled_yuan,
        c.award_value_yuan as person_event_entitled_yuan,
        r.claimed_yuan,
        r.paid_yuan,
        r.hr_approval_no,
        r.is_hr_approved,
        -- §1.5: any payment on a row without the HR bureau's approval number
        {{ to_money("case when r.paid_yuan > 0 and not r.is_hr_approved then r.paid_yuan else 0 end") }} as paid_without_approval_yuan,
        -- prize_special is a finding, not a question: its amount is a seed row
        coalesce(r.review_key in ('prize_other', 'no_standard'), false) as needs_review,
        r.review_key,
        case r.review_key
            when 'prize_other' then '获奖等级为其他（特等奖、优秀奖等），无奖励标准，待人工审核 prize other: no standard, listed for manual review'
            when 'no_standard' then '该年度该级别奖项无奖励标准，待人工审核 no award standard in force for this level, prize and year: manual review'
            when 'prize_special' then '特等奖按一等奖标准计发（政策未单列）'
        end as review_reason,
        r.submission_id,
        r.source_row_number
    from ranked as r
    inner join counted as c
        on c.year = r.year
        and c.person_key = r.person_key
        and c.event_key = r.event_key
)

select
    final.*,
    {{ to_money("sum(entitled_yuan) over (partition by year, person_key)") }} as person_year_entitled_yuan
from final
