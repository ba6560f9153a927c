{#- Two sets of figures (issue 10). Every model on the way to a mart is written once, as the
    macro <model>_sql(figures) in this folder, and instantiated twice:
    - the model under its own name reads the latest received versions (source submissions);
    - the model <model>_approved reads the versions the city approved (locked) only (source
      approved: dagster_project/store/review.py).
    A model refers to another of these models through figures_model, so each chain stays
    within one set of figures; seeds (policy parameters, reference lists) are shared. -#}
{% macro figures_schema(figures) -%}
    {{ return('approved' if figures == 'approved' else 'submissions') }}
{%- endmacro %}

{% macro figures_model(name, figures) -%}
    {{ return(name ~ ('_approved' if figures == 'approved' else '')) }}
{%- endmacro %}

{#- The marts that have an approved twin <mart>_approved: the one list, read by mart_build
    (publishing waits on every one of them) and approval_differences (which compares each
    mart with its twin). A new figure mart goes here and in its twin's model file. -#}
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
