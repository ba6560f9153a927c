{#- Two sets of figures (issue 10): every model on the way to a mart that finance pays
    against is written once, as a macro taking `figures`, and instantiated twice: the
    model under its own name reads the latest received versions (source submissions),
    the model named `<name>_approved` reads the city's approved versions only (source
    approved, see dagster_project/store/review.py). -#}
{% macro figures_source(table, figures) -%}
    {{ source('approved' if figures == 'approved' else 'submissions', table) }}
{%- endmacro %}

{% macro figures_ref(name, figures) -%}
    {{ ref(name ~ ('_approved' if figures == 'approved' else '')) }}
{%- endmacro %}
