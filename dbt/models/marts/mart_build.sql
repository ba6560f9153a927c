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

{#- Both builds make it (issue 17): the latest build's audit.mart_build waits on the latest
    marts and the round's status; the approved build's approved_audit.mart_build, built
    second, on the approved marts, the payout list, approval_differences and the finance
    report models. Publishing waits on the approved one. -#}
{%- set published = [] %}
{%- for name in figure_marts() %}
    {%- do published.append(ref(name)) %}
{%- endfor %}
{%- if var('figures', 'latest') == 'approved' %}
    {%- do published.extend([ref('award_payout'), ref('approval_differences')]) %}
    {#- the finance workbook's sheets (models/reports/finance), which publish/finance.py writes out -#}
    {%- for name in [
        'rpt_finance__per_student_funding', 'rpt_finance__award_entitlements', 'rpt_finance__award_payout',
        'rpt_finance__partnership_income', 'rpt_finance__training_target_progress', 'rpt_finance__training_volume',
        'rpt_finance__county_funding_tilt', 'rpt_finance__recruitment_hires', 'rpt_finance__policy_indicators',
        'rpt_finance__approval_differences', 'rpt_finance__outstanding', 'rpt_finance__sheet_titles',
    ] %}
        {%- do published.append(ref(name)) %}
    {%- endfor %}
{%- else %}
    {%- do published.append(ref('submission_status')) %}
{%- endif %}

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
