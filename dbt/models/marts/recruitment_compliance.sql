-- 教师招聘合规 recruitment compliance per school and year (policy-rules.md §6): counts of
-- hires and of each rule's violations, from recruitment_hires. compliant_hires counts hires
-- with compliant true; hires with a rule applying (non-null compliant) are rule_hires.
select
    cast(year as {{ dbt.type_int() }}) as year,
    cast(school_code as {{ dbt.type_string() }}) as school_code,
    cast(max(school_name) as {{ dbt.type_string() }}) as school_name,
    cast(max(county_code) as {{ dbt.type_string() }}) as county_code,
    cast(max(county_name) as {{ dbt.type_string() }}) as county_name,
    cast(count(*) as {{ dbt.type_bigint() }}) as hires,
    cast(count(*) filter (where teacher_type = 'professional') as {{ dbt.type_bigint() }}) as professional_hires,
    cast(count(*) filter (where experience_ok = false) as {{ dbt.type_bigint() }}) as experience_violations,
    cast(count(*) filter (where fresh_graduate_ok = false) as {{ dbt.type_bigint() }}) as fresh_graduate_violations,
    cast(count(*) filter (where direct_hire_ok = false) as {{ dbt.type_bigint() }}) as direct_hire_violations,
    cast(count(*) filter (where plan_ok = false) as {{ dbt.type_bigint() }}) as plan_violations,
    cast(count(*) filter (where panel_ok = false) as {{ dbt.type_bigint() }}) as panel_violations,
    cast(count(compliant) as {{ dbt.type_bigint() }}) as rule_hires,
    cast(count(*) filter (where compliant) as {{ dbt.type_bigint() }}) as compliant_hires
from {{ ref('recruitment_hires') }}
group by year, school_code
