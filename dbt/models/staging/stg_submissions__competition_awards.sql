-- 技能大赛获奖情况 competition awards, one row per person and award as submitted.
-- Personal data stays out: person_name and id_masked are not selected; person_key (the
-- keyed hash of the ID number) identifies the person. The payout audit joins names back
-- from submissions.competition_awards on (submission_id, source_row_number = row_number).
with source as (
    select * from {{ source('submissions', 'competition_awards') }}
),

renamed as (
    select
        cast(year as {{ dbt.type_int() }}) as year,
        cast(school_code as {{ dbt.type_string() }}) as school_code,
        cast(person_key as {{ dbt.type_string() }}) as person_key,
        cast(role as {{ dbt.type_string() }}) as role,
        cast(competition_name as {{ dbt.type_string() }}) as competition_name,
        cast(competition_level as {{ dbt.type_string() }}) as competition_level,
        cast(organizer_type as {{ dbt.type_string() }}) as organizer_type,
        cast(event_name as {{ dbt.type_string() }}) as event_name,
        -- 赛项比较键, policy-rules.md §1.4: computed once at ingest (NFKC, case folded, no
        -- white space; dagster_project/shared/keys.py), never re-derived in SQL
        cast(event_key as {{ dbt.type_string() }}) as event_key,
        cast(prize as {{ dbt.type_string() }}) as prize,
        cast(award_date as date) as award_date,
        {{ to_money('claimed_yuan') }} as claimed_yuan,
        -- empty (or only white space, U+3000 included) = not approved
        case
            when {{ remove_white_space('cast(hr_approval_no as ' ~ dbt.type_string() ~ ')') }} = '' then null
            else trim(cast(hr_approval_no as {{ dbt.type_string() }}))
        end as hr_approval_no,
        -- empty = 0
        {{ to_money('coalesce(paid_yuan, 0)') }} as paid_yuan,
        {{ submission_lineage() }}
    from source
)

select
    year,
    school_code,
    person_key,
    role,
    competition_name,
    competition_level,
    organizer_type,
    event_name,
    event_key,
    prize,
    award_date,
    claimed_yuan,
    hr_approval_no,
    (hr_approval_no is not null) as is_hr_approved,
    paid_yuan,
    submission_id,
    submission_version,
    source_file,
    sheet,
    source_row_number,
    loaded_at
from renamed
