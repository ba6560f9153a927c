-- 校企合作及社会服务收入 partnership and social-service income, one row per contract line.
with source as (
    select * from {{ source('submissions', 'partnership_income') }}
)

select
    cast(year as {{ dbt.type_int() }}) as year,
    cast(school_code as {{ dbt.type_string() }}) as school_code,
    cast(partner_name as {{ dbt.type_string() }}) as partner_name,
    cast(partner_credit_code as {{ dbt.type_string() }}) as partner_credit_code,
    cast(cooperation_type as {{ dbt.type_string() }}) as cooperation_type,
    cast(income_category as {{ dbt.type_string() }}) as income_category,
    cast(contract_no as {{ dbt.type_string() }}) as contract_no,
    -- 合同比较键: computed once at ingest like event_key (NFKC, case folded, no white space)
    cast(contract_key as {{ dbt.type_string() }}) as contract_key,
    cast(contract_start as date) as contract_start,
    cast(contract_end as date) as contract_end,
    {{ to_money('income_yuan') }} as income_yuan,
    cast(in_budget as {{ dbt.type_boolean() }}) as in_budget,
    {{ to_money('coalesce(internship_allowance_yuan, 0)') }} as internship_allowance_yuan,
    {{ submission_lineage() }}
from source
