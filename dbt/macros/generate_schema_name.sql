{#
    Custom schemas are used verbatim: a model configured with schema `marts` is built in
    schema `marts` (dbt's default would be `<target schema>_marts`). Models without a
    custom schema go to the target schema.

    The approved build (var figures = approved, issue 17) writes the models it shares with
    the latest build to approved_<schema>, beside the latest ones, so the two sets never
    overwrite each other. Models of the approved build only (meta figures: approved) keep
    their schema, and seeds are built once, by the latest build, and read by both.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set schema = target.schema if custom_schema_name is none else custom_schema_name | trim -%}
    {%- set one_set = ((node.config.meta if node.config is defined else none) or {}).get('figures') -%}
    {%- if var('figures', 'latest') == 'approved' and node.resource_type != 'seed' and one_set != 'approved' -%}
        approved_{{ schema }}
    {%- else -%}
        {{ schema }}
    {%- endif -%}
{%- endmacro %}
