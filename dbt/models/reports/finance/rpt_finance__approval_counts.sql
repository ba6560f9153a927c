-- 审批进度 how many of the year's submissions the workbook shows (approved) and how many still
-- wait for approval, from the review log (audit.review_state), with the sentence every sheet
-- of the workbook carries under its title (issue 21: before approval the sheets are empty,
-- and the workbook says why). A submission is one (template, submitter, year) with a loaded
-- version; approved: a version of it is approved (its figures are in the workbook); waiting:
-- its latest version is not the approved one (never approved, or revised after the lock).
-- depends_on: {{ ref('approval_differences') }}
{# (every incremental approved build rebuilds approval_differences+, transform/build.py: an
    approval or a new version changes these counts, and this model is rebuilt with them.) #}
with state as (
    select * from {{ source('audit', 'review_state') }}
    where current_submission_id is not null
),

counts as (
    select
        year,
        count(*) as submissions,
        count(*) filter (where approved_submission_id is not null) as approved,
        count(*) filter (where approved_submission_id is distinct from current_submission_id) as waiting
    from state
    group by year
)

select
    cast(year as integer) as year,
    cast(submissions as bigint) as submissions,
    cast(approved as bigint) as approved,
    cast(waiting as bigint) as waiting,
    cast(
        year || '年度报送 ' || submissions || ' 份：已审批 ' || approved || ' 份，待审批 ' || waiting || ' 份。'
        || '本表只含已审批数据：在审批前本表为空，最新报送数见 审批后变更 / summary_' || year || '.html。'
        as varchar
    ) as note
from counts
