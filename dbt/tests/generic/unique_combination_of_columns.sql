{#
    The grain test: no two rows share the values of `combination_of_columns`
    (dbt_utils is not available, so the project carries its own).
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set cols = combination_of_columns | join(', ') %}
    select {{ cols }}, count(*) as n_rows
    from {{ model }}
    group by {{ cols }}
    having count(*) > 1
{% endtest %}
