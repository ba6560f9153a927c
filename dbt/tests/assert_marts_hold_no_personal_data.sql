-- 个人信息保护: no mart may carry a column named like a name, an ID number or a masked ID
-- (person_key only). The pattern is the project's one definition (var pii_column_pattern,
-- dbt_project.yml), shared with the BI snapshot's guard; the snapshot checks values too.
{%- set marts_schema = ref('award_entitlements').schema %}
select table_name, column_name
from information_schema.columns
where lower(table_schema) = lower('{{ marts_schema }}')
    and table_catalog = current_database()
    and regexp_matches(column_name, '{{ var("pii_column_pattern") | replace("'", "''") }}')
