-- 教师招聘 teacher hires and the rules of 二(六) (policy-rules.md §6), one row per hire.
-- Each flag is null where its rule does not apply to the hire; part-time teachers (兼职教师)
-- are listed with every flag null and compliant null. Parameters (3 years, 大专, 2/3) come
-- from seed policy_recruitment_parameters for the hire's year.
with hires as (
    select * from {{ ref('stg_submissions__teacher_recruitment') }}
),

schools as (
    select * from {{ ref('stg_submissions__schools') }}
),

judged as (
    select
        h.*,
        sch.county_code,
        sch.school_name as registry_school_name,
        cty.county_name,
        h.teacher_type = 'part_time' as is_part_time,
        -- 1. experience: professional teachers hired by open recruitment
        case
            when h.teacher_type = 'professional' and h.recruitment_method = 'open' then
                (h.enterprise_years >= p.min_enterprise_years and edu.education_rank >= min_edu.education_rank)
                or h.skill_certificate is not null
                or h.dual_teacher_normal_graduate
        end as experience_ok,
        -- 2. no fresh graduates among professional teachers hired by open recruitment, unless a
        --    双师型 normal graduate (the ban stands in 二(六)'s open-recruitment sentence; the
        --    direct route names 博士毕业生 itself: updated 2026-12)
        case
            when h.teacher_type = 'professional' and h.recruitment_method = 'open' then not h.fresh_graduate or h.dual_teacher_normal_graduate
        end as fresh_graduate_ok,
        -- 3. direct hiring only for high-level talent, and the hire must be what its category says
        --    (updated 2026-12): 急需专业博士 a 博士; 技师 / 高级技师 a certificate on file; 专家 nothing more
        case
            when h.teacher_type <> 'part_time' and h.recruitment_method = 'direct' then
                case h.talent_category
                    when 'urgent_doctor' then h.education = 'doctor'
                    when 'technician' then h.skill_certificate is not null
                    when 'senior_technician' then h.skill_certificate is not null
                    when 'expert' then true
                    else false
                end
        end as direct_hire_ok,
        -- 4. plan approved and filed: every non-part-time hire
        case
            when h.teacher_type <> 'part_time' then h.plan_approval_no is not null and h.hr_filing_no is not null
        end as plan_ok,
        -- 5. panel: related teachers at least numerator/denominator, exact integers; empty = violation
        case
            when h.teacher_type <> 'part_time' and h.recruitment_method = 'open' then
                coalesce(
                    h.panel_size > 0
                    and h.panel_related_teachers * p.panel_related_denominator >= h.panel_size * p.panel_related_numerator,
                    false
                )
        end as panel_ok
    from hires as h
    left join schools as sch
        on sch.year = h.year and sch.school_code = h.school_code
    left join {{ ref('ref_counties') }} as cty
        on cast(cty.county_code as {{ dbt.type_string() }}) = sch.county_code
    left join {{ ref('policy_recruitment_parameters') }} as p
        on {{ valid_in_year('p', 'h.year') }}
    left join {{ ref('ref_education_levels') }} as edu
        on edu.education = h.education
    left join {{ ref('ref_education_levels') }} as min_edu
        on min_edu.education = p.min_education
)

select
    cast(year as {{ dbt.type_int() }}) as year,
    cast(school_code as {{ dbt.type_string() }}) as school_code,
    cast(registry_school_name as {{ dbt.type_string() }}) as school_name,
    cast(person_key as {{ dbt.type_string() }}) as person_key,
    cast(hire_date as date) as hire_date,
    cast(county_code as {{ dbt.type_string() }}) as county_code,
    cast(county_name as {{ dbt.type_string() }}) as county_name,
    cast(teacher_type as {{ dbt.type_string() }}) as teacher_type,
    cast(recruitment_method as {{ dbt.type_string() }}) as recruitment_method,
    cast(experience_ok as {{ dbt.type_boolean() }}) as experience_ok,
    cast(fresh_graduate_ok as {{ dbt.type_boolean() }}) as fresh_graduate_ok,
    cast(direct_hire_ok as {{ dbt.type_boolean() }}) as direct_hire_ok,
    cast(plan_ok as {{ dbt.type_boolean() }}) as plan_ok,
    cast(panel_ok as {{ dbt.type_boolean() }}) as panel_ok,
    cast(
        case
            when is_part_time then null
            when experience_ok = false or fresh_graduate_ok = false or direct_hire_ok = false
                or plan_ok = false or panel_ok = false then false
            when coalesce(experience_ok, fresh_graduate_ok, direct_hire_ok, plan_ok, panel_ok) is not null then true
        end as {{ dbt.type_boolean() }}
    ) as compliant,
    cast(
        case
            when is_part_time then '兼职教师：不适用招聘规定 (part-time: no rule applies)'
            else nullif(concat_ws('；',
                case when experience_ok = false then '专业课教师须具有3年以上企业工作经历和大专以上学历，或持有职业技能等级证书 (experience)' end,
                case when fresh_graduate_ok = false then '公开招聘专业课教师不得招聘应届毕业生（"双师型"职业技术师范专业毕业生除外）(fresh_graduate)' end,
                case when direct_hire_ok = false then
                    case talent_category
                        when 'urgent_doctor' then '直接考察的急需专业人才须为博士 (direct_hire: urgent_doctor needs 博士)'
                        when 'technician' then '直接考察的技师须有职业资格证书 (direct_hire: certificate on file)'
                        when 'senior_technician' then '直接考察的高级技师须有职业资格证书 (direct_hire: certificate on file)'
                        else '直接考察仅限高层次高技能人才 (direct_hire)'
                    end
                end,
                case when plan_ok = false then '招聘方案未经核准或未报人社部门备案 (plan)' end,
                case when panel_ok = false then '面试评委中相关专业教师不足三分之二 (panel)' end
            ), '')
        end as {{ dbt.type_string() }}
    ) as findings,
    cast(submission_id as {{ dbt.type_string() }}) as submission_id,
    cast(source_row_number as {{ dbt.type_bigint() }}) as source_row_number
from judged
