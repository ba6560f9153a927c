{#
    Policy parameters live in seeds, each row with the years it applies to
    (valid_from_year .. valid_to_year; valid_to_year 9999 (or empty) means until further notice).
    Never write a policy value as a literal in a model: look it up for the row's year.
#}

{# True when the seed row aliased `alias` applies to the statistical year `year_expr`. #}
{% macro valid_in_year(alias, year_expr) -%}
    ({{ year_expr }} >= {{ alias }}.valid_from_year
     and ({{ alias }}.valid_to_year is null or {{ year_expr }} <= {{ alias }}.valid_to_year))
{%- endmacro %}

{#
    left join of one scalar parameter from seed policy_parameters, for the year `year_expr`;
    use it as `<alias>.value`.
#}
{% macro join_policy_parameter(alias, parameter, year_expr) -%}
    left join {{ ref('policy_parameters') }} as {{ alias }}
        on {{ alias }}.parameter = '{{ parameter }}'
        and {{ valid_in_year(alias, year_expr) }}
{%- endmacro %}
