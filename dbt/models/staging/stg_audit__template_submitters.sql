-- 模板与报送单位类型 who owes each template in a round (derived from core/templates.py).
select
    cast(template as {{ dbt.type_string() }}) as template,
    cast(template_zh as {{ dbt.type_string() }}) as template_zh,
    cast(submitter_kind as {{ dbt.type_string() }}) as submitter_kind
from {{ source('audit', 'template_submitters') }}
