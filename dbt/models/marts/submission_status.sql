-- 报送进度 completeness of the collection rounds (issue 10): one row per round
-- (template, year) and expected submitter, with where its submission stands.
--   missing: nothing received; rejected: only rejected sheets; received: loaded, not
--   reviewed yet; reviewed: the county reviewed the current version; approved: the city
--   locked the current version; revision_pending: a newer version arrived after the lock;
--   reopened: the city reopened an approved version, which stays the approved figures
--   until the city approves again (issue 18).
-- is_late: the first accepted sheet came after the deadline (received_at is the file's
-- time, UTC), or nothing was accepted and the deadline has passed (as of the build).
with expected as (
    select * from {{ ref('int_round_expected_submitters') }}
),

state as (
    select * from {{ ref('stg_audit__review_state') }}
),

joined as (
    select
        e.*,
        s.current_version,
        s.approved_version,
        s.locked,
        s.reopened,
        s.reviewed,
        coalesce(s.accepted_sheets, 0) as accepted_sheets,
        coalesce(s.rejected_sheets, 0) as rejected_sheets,
        s.first_accepted_at,
        s.last_received_at,
        s.current_submission_id,
        s.approved_submission_id
    from expected as e
    left join state as s
        on s.template = e.template and s.submitter_code = e.submitter_code and s.year = e.year
)

select
    cast(year as {{ dbt.type_int() }}) as year,
    cast(template as {{ dbt.type_string() }}) as template,
    cast(template_zh as {{ dbt.type_string() }}) as template_zh,
    cast(submitter_code as {{ dbt.type_string() }}) as submitter_code,
    cast(county_code as {{ dbt.type_string() }}) as county_code,
    cast((select c.county_name from {{ ref('ref_counties') }} as c where cast(c.county_code as {{ dbt.type_string() }}) = joined.county_code) as {{ dbt.type_string() }}) as county_name,
    cast(chased_by_code as {{ dbt.type_string() }}) as chased_by_code,
    cast(
        case
            when current_submission_id is null and rejected_sheets > 0 then 'rejected'
            when current_submission_id is null then 'missing'
            when locked and approved_submission_id = current_submission_id then 'approved'
            when locked then 'revision_pending'
            when reopened then 'reopened'
            when reviewed then 'reviewed'
            else 'received'
        end as {{ dbt.type_string() }}
    ) as status,
    -- the status in the words every output uses (the portal, the 催报 sheet and page, receipts)
    cast(
        case
            when current_submission_id is null and rejected_sheets > 0 then '已退回，待重新报送'
            when current_submission_id is null then '未报送'
            when locked and approved_submission_id = current_submission_id then '市局已审批锁定'
            when locked then '锁定后收到修订版本，待审批'
            when reopened then '市局已重新开放'
            when reviewed then '县区已审核，待市局审批'
            else '已收到，待县区审核'
        end as {{ dbt.type_string() }}
    ) as status_zh,
    cast(
        case
            when first_accepted_at is not null then cast(first_accepted_at as date) > deadline
            else current_date > deadline
        end as {{ dbt.type_boolean() }}
    ) as is_late,
    cast(opens_on as date) as opens_on,
    cast(deadline as date) as deadline,
    cast(current_version as {{ dbt.type_int() }}) as current_version,
    cast(approved_version as {{ dbt.type_int() }}) as approved_version,
    cast(last_received_at as {{ dbt.type_timestamp() }}) as last_received_at
from joined
