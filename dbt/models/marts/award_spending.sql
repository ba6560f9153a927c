-- 技能大赛奖励支出汇总 award spending per school, year, competition level, organizer type and
-- role (policy-rules.md §1.7). A person-event counts under the level, organizer and role of
-- its counted award; its suppressed awards (and their claims and payments) count there too.
with person_events as (
    select * from {{ ref('int_award_person_events') }}
),

schools as (
    select * from {{ ref('stg_submissions__schools') }}
)

select
    cast(pe.year as {{ dbt.type_int() }}) as year,
    cast(pe.school_code as {{ dbt.type_string() }}) as school_code,
    cast(pe.competition_level as {{ dbt.type_string() }}) as competition_level,
    cast(pe.organizer_type as {{ dbt.type_string() }}) as organizer_type,
    cast(pe.role as {{ dbt.type_string() }}) as role,
    cast(max(sch.county_code) as {{ dbt.type_string() }}) as county_code,
    cast(max(sch.school_name) as {{ dbt.type_string() }}) as school_name,
    cast(max(cty.county_name) as {{ dbt.type_string() }}) as county_name,
    cast(count(distinct pe.person_key) as {{ dbt.type_bigint() }}) as awardees,
    cast(count(*) as {{ dbt.type_bigint() }}) as awards_counted,
    cast(sum(pe.suppressed_awards) as {{ dbt.type_bigint() }}) as awards_suppressed,
    cast(sum(case when pe.needs_review then 1 else 0 end) as {{ dbt.type_bigint() }}) as awards_for_review,
    {{ to_money('sum(pe.entitled_yuan)') }} as entitled_yuan,
    {{ to_money('sum(pe.claimed_yuan)') }} as claimed_yuan,
    {{ to_money('sum(pe.paid_yuan)') }} as paid_yuan,
    {{ to_money('sum(pe.paid_without_approval_yuan)') }} as paid_without_approval_yuan,
    {{ to_money('sum(pe.over_claim_yuan)') }} as over_claim_yuan,
    {{ to_money('sum(pe.under_claim_yuan)') }} as under_claim_yuan,
    {{ to_money('sum(pe.overpaid_yuan)') }} as overpaid_yuan
from person_events as pe
left join schools as sch
    on sch.year = pe.year and sch.school_code = pe.school_code
left join {{ ref('ref_counties') }} as cty
    on cast(cty.county_code as {{ dbt.type_string() }}) = sch.county_code
group by pe.year, pe.school_code, pe.competition_level, pe.organizer_type, pe.role
