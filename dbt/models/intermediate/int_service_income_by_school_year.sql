-- 社会服务收入（按校按年）social-service income per school and year (policy-rules.md §2,
-- offset_suspected): training income plus partnership income of every category but donation.
with income_lines as (
    select
        year,
        school_code,
        income_yuan as training_income_yuan,
        {{ to_money('0') }} as partnership_service_income_yuan
    from {{ ref('stg_submissions__trainings') }}

    union all

    select
        year,
        school_code,
        {{ to_money('0') }} as training_income_yuan,
        income_yuan as partnership_service_income_yuan
    from {{ ref('stg_submissions__partnership_incomes') }}
    where income_category <> 'donation'
)

select
    year,
    school_code,
    {{ to_money('sum(training_income_yuan)') }} as training_income_yuan,
    {{ to_money('sum(partnership_service_income_yuan)') }} as partnership_service_income_yuan,
    {{ to_money('sum(training_income_yuan) + sum(partnership_service_income_yuan)') }} as service_income_yuan
from income_lines
group by year, school_code
