{#-
    获奖人员信息 the names and masked ID numbers of the competition awards, one row per
    submitted award row. Personal data: this model lives in schema restricted, which the BI
    snapshot never copies; only the finance payout list (restricted.award_payout) reads it.
-#}

with source as (
    select * from {{ source('submissions', 'competition_awards') }}
)

select
    cast(year as {{ dbt.type_int() }}) as year,
    cast(person_key as {{ dbt.type_string() }}) as person_key,
    cast(person_name as {{ dbt.type_string() }}) as person_name,
    cast(id_masked as {{ dbt.type_string() }}) as id_masked,
    {{ submission_lineage() }}
from source
