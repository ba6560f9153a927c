-- 个人信息保护: no mart may carry a name, an ID number or a masked ID (person_key only).
{%- set marts_schema = ref('award_entitlements').schema %}
select table_name, column_name
from information_schema.columns
where lower(table_schema) = lower('{{ marts_schema }}')
    and lower(column_name) in ('person_name', 'id_number', 'id_masked', 'name')
