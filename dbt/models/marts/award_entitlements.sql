-- 技能大赛奖励应发明细 award entitlement per person, event and year (policy-rules.md §1).
-- person_key only: no name or ID number.
with person_events as (
    select * from {{ ref('int_award_person_events') }}
),

schools as (
    select * from {{ ref('stg_submissions__schools') }}
)

select
    cast(pe.year as {{ dbt.type_int() }}) as year,
    cast(pe.person_key as {{ dbt.type_string() }}) as person_key,
    cast(pe.event_key as {{ dbt.type_string() }}) as event_key,
    cast(pe.event_name as {{ dbt.type_string() }}) as event_name,
    cast(pe.school_code as {{ dbt.type_string() }}) as school_code,
    cast(sch.school_name as {{ dbt.type_string() }}) as school_name,
    cast(sch.county_code as {{ dbt.type_string() }}) as county_code,
    cast(cty.county_name as {{ dbt.type_string() }}) as county_name,
    cast(pe.role as {{ dbt.type_string() }}) as role,
    cast(pe.competition_name as {{ dbt.type_string() }}) as competition_name,
    cast(pe.competition_level as {{ dbt.type_string() }}) as competition_level,
    cast(pe.organizer_type as {{ dbt.type_string() }}) as organizer_type,
    cast(pe.prize as {{ dbt.type_string() }}) as prize,
    cast(pe.award_date as date) as award_date,
    cast(pe.standard_level as {{ dbt.type_string() }}) as standard_level,
    {{ to_money('pe.standard_yuan') }} as standard_yuan,
    cast(pe.organizer_factor as decimal(18, 4)) as organizer_factor,
    {{ to_money('pe.entitled_yuan') }} as entitled_yuan,
    {{ to_money('pe.claimed_yuan') }} as claimed_yuan,
    {{ to_money('pe.paid_yuan') }} as paid_yuan,
    {{ to_money('pe.paid_without_approval_yuan') }} as paid_without_approval_yuan,
    {{ to_money('pe.over_claim_yuan') }} as over_claim_yuan,
    {{ to_money('pe.under_claim_yuan') }} as under_claim_yuan,
    {{ to_money('pe.overpaid_yuan') }} as overpaid_yuan,
    pe.approved,
    cast(pe.hr_approval_no as {{ dbt.type_string() }}) as hr_approval_no,
    cast(pe.awards as {{ dbt.type_bigint() }}) as awards,
    cast(pe.suppressed_awards as {{ dbt.type_bigint() }}) as suppressed_awards,
    cast(pe.suppressed_reasons as {{ dbt.type_string() }}) as suppressed_reasons,
    pe.over_claim,
    pe.under_claim,
    pe.overpaid,
    pe.paid_without_approval,
    pe.needs_review,
    cast(pe.review_reason as {{ dbt.type_string() }}) as review_reason
from person_events as pe
left join schools as sch
    on sch.year = pe.year and sch.school_code = pe.school_code
left join {{ ref('ref_counties') }} as cty
    on cast(cty.county_code as {{ dbt.type_string() }}) = sch.county_code
