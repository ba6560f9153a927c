-- 教师招聘情况 teacher hires, one row per hire as submitted (added 2026-11).
-- Personal data stays out: person_name and id_masked are not selected; person_key (the keyed
-- hash of the ID number) identifies the teacher. Empty texts (approval and filing numbers,
-- certificate), white space only included, are null: the template reads empty as "none".
with source as (
    select * from {{ source('submissions', 'teacher_recruitment') }}
),

renamed as (
    select
        cast(year as {{ dbt.type_int() }}) as year,
        cast(school_code as {{ dbt.type_string() }}) as school_code,
        cast(person_key as {{ dbt.type_string() }}) as person_key,
        cast(teacher_type as {{ dbt.type_string() }}) as teacher_type,
        cast(recruitment_method as {{ dbt.type_string() }}) as recruitment_method,
        cast(education as {{ dbt.type_string() }}) as education,
        cast(enterprise_years as decimal(18, 2)) as enterprise_years,
        cast(fresh_graduate as {{ dbt.type_boolean() }}) as fresh_graduate,
        -- empty = no
        coalesce(cast(dual_teacher_normal_graduate as {{ dbt.type_boolean() }}), false) as dual_teacher_normal_graduate,
        {% for col in ['skill_certificate', 'plan_approval_no', 'hr_filing_no'] %}
        case
            when {{ remove_white_space('cast(' ~ col ~ ' as ' ~ dbt.type_string() ~ ')') }} = '' then null
            else trim(cast({{ col }} as {{ dbt.type_string() }}))
        end as {{ col }},
        {% endfor %}
        cast(talent_category as {{ dbt.type_string() }}) as talent_category,
        cast(panel_size as {{ dbt.type_int() }}) as panel_size,
        cast(panel_related_teachers as {{ dbt.type_int() }}) as panel_related_teachers,
        cast(hire_date as date) as hire_date,
        {{ submission_lineage() }}
    from source
)

select * from renamed
