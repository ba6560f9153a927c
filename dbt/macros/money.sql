{#
    Money is DECIMAL(18,2) yuan everywhere (marts.md). Every money column of a mart is
    cast explicitly with to_money().
#}
{% macro money_type() -%}
    decimal(18, 2)
{%- endmacro %}

{% macro to_money(expr) -%}
    cast({{ expr }} as {{ money_type() }})
{%- endmacro %}

{# Shares (0..1) are DECIMAL(18,6). #}
{% macro share_type() -%}
    decimal(18, 6)
{%- endmacro %}
