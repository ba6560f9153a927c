{#
    Custom schemas are used verbatim: a model configured with schema `marts` is built in
    schema `marts` (dbt's default would be `<target schema>_marts`). Models without a
    custom schema go to the target schema.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
