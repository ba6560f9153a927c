-- 培训开展情况 training programmes, one row per programme as submitted.
with source as (
    select * from {{ source('submissions', 'training') }}
)

select
    cast(year as {{ dbt.type_int() }}) as year,
    cast(school_code as {{ dbt.type_string() }}) as school_code,
    cast(program_name as {{ dbt.type_string() }}) as program_name,
    cast(training_type as {{ dbt.type_string() }}) as training_type,
    cast(start_date as date) as start_date,
    cast(end_date as date) as end_date,
    cast(trainees as {{ dbt.type_bigint() }}) as trainees,
    {{ to_money('hours_per_trainee') }} as hours_per_trainee,
    {{ to_money('income_yuan') }} as income_yuan,
    cast(is_policy_project as {{ dbt.type_boolean() }}) as is_policy_project,
    cast(partner_name as {{ dbt.type_string() }}) as partner_name,
    -- added 2026-11, optional: null = not declared (older files lack the column)
    cast(in_budget as {{ dbt.type_boolean() }}) as in_budget,
    -- added 2026-12, optional: null = not given (older files lack the column); certificate_key
    -- is its comparison key (NFKC, case folded, no white space), computed at ingestion
    cast(certificate_name as {{ dbt.type_string() }}) as certificate_name,
    cast(certificate_key as {{ dbt.type_string() }}) as certificate_key,
    {{ submission_lineage() }}
from source
