-- award_spending is award_entitlements summed by school, level, organizer and role: the
-- totals per year must agree, and both must agree with the row model int_award_rows.
with spending as (
    select
        year,
        sum(entitled_yuan) as entitled_yuan,
        sum(claimed_yuan) as claimed_yuan,
        sum(paid_yuan) as paid_yuan,
        sum(paid_without_approval_yuan) as paid_without_approval_yuan,
        sum(awards_counted + awards_suppressed) as award_rows
    from {{ ref('award_spending') }}
    group by year
),

entitlements as (
    select
        year,
        sum(entitled_yuan) as entitled_yuan,
        sum(claimed_yuan) as claimed_yuan,
        sum(paid_yuan) as paid_yuan,
        sum(paid_without_approval_yuan) as paid_without_approval_yuan,
        sum(awards) as award_rows
    from {{ ref('award_entitlements') }}
    group by year
),

award_rows as (
    select
        year,
        sum(entitled_yuan) as entitled_yuan,
        sum(claimed_yuan) as claimed_yuan,
        sum(paid_yuan) as paid_yuan,
        sum(paid_without_approval_yuan) as paid_without_approval_yuan,
        count(*) as award_rows
    from {{ ref('int_award_rows') }}
    group by year
)

select r.year
from award_rows as r
left join spending as s on s.year = r.year
left join entitlements as e on e.year = r.year
where s.year is null
    or e.year is null
    or s.entitled_yuan <> r.entitled_yuan or e.entitled_yuan <> r.entitled_yuan
    or s.claimed_yuan <> r.claimed_yuan or e.claimed_yuan <> r.claimed_yuan
    or s.paid_yuan <> r.paid_yuan or e.paid_yuan <> r.paid_yuan
    or s.paid_without_approval_yuan <> r.paid_without_approval_yuan
    or e.paid_without_approval_yuan <> r.paid_without_approval_yuan
    or s.award_rows <> r.award_rows or e.award_rows <> r.award_rows
