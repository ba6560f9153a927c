{#-
    One row per published model describing the latest build. It depends on every model the
    publishing step reads (the marts and the restricted payout list), so any build that
    touches one of them also rebuilds this table; the publishing assets wait on it alone,
    which lets an incremental build (only the marts a new submission affects) still
    republish. Lives in schema audit: it is not a BI table.

    The list below cannot drift: tests/test_publish_contract.py fails when a model of schema
    marts or restricted is missing from it.
-#}
{{ config(schema='audit', materialized='table', contract={'enforced': false}) }}

{#- Each mart has its approved twin <mart>_approved (issue 10, macros/figures/figures.sql, where
    figure_marts() lists them); the payout list, the round's status and the differences between
    the two sets of figures exist once. -#}
{%- set published = [ref('award_payout'), ref('submission_status'), ref('approval_differences')] %}
{%- for name in figure_marts() %}
    {%- do published.append(ref(name)) %}
    {%- do published.append(ref(figures_model(name, 'approved'))) %}
{%- endfor %}

{#- The build's --select (null for a full build): publishing rewrites only the years an
    incremental build can have changed. -#}
{%- set selection = invocation_args_dict.get('select') or [] %}
{%- set selection = selection if selection is string else selection | join(' ') %}

{% for rel in published %}
select
    {{ dbt.current_timestamp() }} as built_at,
    {% if selection %}'{{ selection | replace("'", "''") }}'{% else %}cast(null as {{ dbt.type_string() }}){% endif %} as selection,
    '{{ rel.schema }}' as table_schema,
    '{{ rel.identifier }}' as table_name,
    (select count(*) from {{ rel }}) as row_count
{% if not loop.last %}union all{% endif %}
{% endfor %}
