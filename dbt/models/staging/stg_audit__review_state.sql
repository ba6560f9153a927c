-- 报送与审批状态 what was received and decided per (template, submitter, year).
select
    cast(template as {{ dbt.type_string() }}) as template,
    cast(submitter_code as {{ dbt.type_string() }}) as submitter_code,
    cast(year as {{ dbt.type_int() }}) as year,
    cast(current_submission_id as {{ dbt.type_string() }}) as current_submission_id,
    cast(current_version as {{ dbt.type_int() }}) as current_version,
    cast(approved_submission_id as {{ dbt.type_string() }}) as approved_submission_id,
    cast(approved_version as {{ dbt.type_int() }}) as approved_version,
    cast(locked as {{ dbt.type_boolean() }}) as locked,
    -- reopened after the last approval: the approved version stays approved (issue 18)
    cast(reopened as {{ dbt.type_boolean() }}) as reopened,
    cast(reviewed as {{ dbt.type_boolean() }}) as reviewed,
    cast(accepted_sheets as {{ dbt.type_bigint() }}) as accepted_sheets,
    cast(rejected_sheets as {{ dbt.type_bigint() }}) as rejected_sheets,
    cast(first_accepted_at as {{ dbt.type_timestamp() }}) as first_accepted_at,
    cast(last_received_at as {{ dbt.type_timestamp() }}) as last_received_at
from {{ source('audit', 'review_state') }}
