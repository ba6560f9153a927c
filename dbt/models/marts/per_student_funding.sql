-- 生均拨款 per-student funding per school and year (policy-rules.md §2), over the schools
-- that have an enrollment or an appropriation submission that year.
with enrollments as (
    select * from {{ ref('int_enrollments_by_school_year') }}
),

appropriations as (
    select * from {{ ref('int_appropriations_by_school_year') }}
),

service_income as (
    select * from {{ ref('int_service_income_by_school_year') }}
),

schools as (
    select * from {{ ref('stg_submissions__schools') }}
),

school_years as (
    select year, school_code from enrollments
    union
    select year, school_code from appropriations
),

base as (
    select
        sy.year,
        sy.school_code,
        sch.school_name,
        sch.county_code,
        cty.county_name,
        sch.school_level,
        sch.sponsor,
        (enr.school_code is not null) as has_enrollment,
        (app.school_code is not null) as has_appropriation,
        coalesce(enr.enrolled_students, 0) as enrolled_students,
        coalesce(app.funded_students, 0) as funded_students,
        coalesce(app.funders, 0) as funders,
        app.standard_per_student_yuan,
        coalesce(app.standards_disagree, false) as standards_disagree,
        coalesce(app.appropriated_yuan, 0) as appropriated_yuan,
        coalesce(enr.tuition_income_yuan, 0) as tuition_income_yuan,
        coalesce(svc.training_income_yuan, 0) as training_income_yuan,
        coalesce(svc.partnership_service_income_yuan, 0) as partnership_service_income_yuan,
        coalesce(svc.service_income_yuan, 0) as service_income_yuan,
        below_tol.value as below_standard_tolerance_yuan,
        offset_ratio.value as offset_tolerance_ratio,
        offset_min.value as offset_tolerance_min_yuan
    from school_years as sy
    left join enrollments as enr
        on enr.year = sy.year and enr.school_code = sy.school_code
    left join appropriations as app
        on app.year = sy.year and app.school_code = sy.school_code
    left join service_income as svc
        on svc.year = sy.year and svc.school_code = sy.school_code
    left join schools as sch
        on sch.year = sy.year and sch.school_code = sy.school_code
    left join {{ ref('ref_counties') }} as cty
        on cast(cty.county_code as {{ dbt.type_string() }}) = sch.county_code
    {{ join_policy_parameter('below_tol', 'below_standard_tolerance_yuan', 'sy.year') }}
    {{ join_policy_parameter('offset_ratio', 'offset_tolerance_ratio', 'sy.year') }}
    {{ join_policy_parameter('offset_min', 'offset_tolerance_min_yuan', 'sy.year') }}
),

computed as (
    select
        base.*,
        case
            when standard_per_student_yuan is not null
                then {{ to_money('standard_per_student_yuan * enrolled_students') }}
        end as expected_yuan,
        {{ decimal_divide('appropriated_yuan', 'enrolled_students') }} as per_student_yuan
    from base
),

with_shortfall as (
    select
        computed.*,
        case
            when expected_yuan is null then null
            when expected_yuan > appropriated_yuan then {{ to_money('expected_yuan - appropriated_yuan') }}
            else {{ to_money('0') }}
        end as shortfall_yuan
    from computed
),

-- 学费及社会服务收入不冲抵生均拨款: the shortfall matches tuition, service income or their
-- sum (X > 0) within max(ratio * X, minimum).
offset_checks as (
    select
        with_shortfall.*,
        {%- for name, x in [
            ('tuition', 'tuition_income_yuan'),
            ('service', 'service_income_yuan'),
            ('tuition_and_service', '(tuition_income_yuan + service_income_yuan)'),
        ] %}
        (
            {{ x }} > 0
            and abs(shortfall_yuan - {{ x }}) <= (
                case
                    when {{ x }} * offset_tolerance_ratio > offset_tolerance_min_yuan then {{ x }} * offset_tolerance_ratio
                    else offset_tolerance_min_yuan
                end
            )
        ) as offset_matches_{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from with_shortfall
),

with_previous as (
    select
        cur.*,
        prev.per_student_yuan as previous_per_student_yuan
    from offset_checks as cur
    left join offset_checks as prev
        on prev.school_code = cur.school_code
        and prev.year = cur.year - 1
)

select
    cast(year as {{ dbt.type_int() }}) as year,
    cast(school_code as {{ dbt.type_string() }}) as school_code,
    cast(school_name as {{ dbt.type_string() }}) as school_name,
    cast(county_code as {{ dbt.type_string() }}) as county_code,
    cast(county_name as {{ dbt.type_string() }}) as county_name,
    cast(school_level as {{ dbt.type_string() }}) as school_level,
    cast(sponsor as {{ dbt.type_string() }}) as sponsor,
    cast(enrolled_students as {{ dbt.type_bigint() }}) as enrolled_students,
    cast(funded_students as {{ dbt.type_bigint() }}) as funded_students,
    cast(funders as {{ dbt.type_bigint() }}) as funders,
    {{ to_money('standard_per_student_yuan') }} as standard_per_student_yuan,
    {{ to_money('expected_yuan') }} as expected_yuan,
    {{ to_money('appropriated_yuan') }} as appropriated_yuan,
    {{ to_money('per_student_yuan') }} as per_student_yuan,
    {{ to_money('previous_per_student_yuan') }} as previous_per_student_yuan,
    {{ to_money('shortfall_yuan') }} as shortfall_yuan,
    {{ to_money('tuition_income_yuan') }} as tuition_income_yuan,
    {{ to_money('training_income_yuan') }} as training_income_yuan,
    {{ to_money('partnership_service_income_yuan') }} as partnership_service_income_yuan,
    {{ to_money('service_income_yuan') }} as service_income_yuan,
    -- flags (policy-rules.md §2); a flag is null only when a policy parameter is missing for the year
    case
        when standard_per_student_yuan is null or per_student_yuan is null then false
        else per_student_yuan < standard_per_student_yuan - below_standard_tolerance_yuan
    end as below_standard,
    (funded_students <> enrolled_students) as students_mismatch,
    coalesce(per_student_yuan < previous_per_student_yuan, false) as yoy_decrease,
    case
        when standard_per_student_yuan is null or shortfall_yuan is null or shortfall_yuan <= 0 then false
        else (offset_matches_tuition or offset_matches_service or offset_matches_tuition_and_service)
    end as offset_suspected,
    case
        when standard_per_student_yuan is null or shortfall_yuan is null or shortfall_yuan <= 0 then null
        when offset_matches_tuition then 'tuition'
        when offset_matches_service then 'service'
        when offset_matches_tuition_and_service then 'tuition_and_service'
    end as offset_basis,
    (standard_per_student_yuan is null) as no_standard,
    (has_appropriation and not has_enrollment) as no_enrollment,
    (has_enrollment and not has_appropriation) as no_appropriation,
    standards_disagree
from with_previous
