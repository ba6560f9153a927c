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
