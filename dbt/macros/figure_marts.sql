{#- The marts that both builds make (issue 17): the latest figures publish them as <mart>, the
    approved figures as <mart>_approved. The one list, read by approval_differences (which
    compares each pair) and mart_build (publishing waits on every one of them). A new figure
    mart goes here. -#}
{% macro figure_marts() -%}
    {{ return([
        'per_student_funding',
        'training_volume',
        'training_target_progress',
        'partnership_income',
        'award_spending',
        'award_entitlements',
        'county_funding_tilt',
        'schools',
        'recruitment_hires',
        'recruitment_compliance',
        'policy_indicators',
    ]) }}
{%- endmacro %}

{#- A model of the latest build, from inside the approved build, which runs second: the
    same relation as ref(name) there, in its unprefixed schema. -#}
{% macro latest_relation(name) -%}
    {%- set approved = ref(name) -%}
    {{ return(approved.incorporate(path={'schema': approved.schema | replace('approved_', '', 1)})) }}
{%- endmacro %}
