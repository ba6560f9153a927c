{#
    Every white-space character removed: ASCII white space, every Unicode space separator
    (incl. U+3000, no-break and the U+2000 block), zero-width space, word joiner and BOM.
    Used to read an approval number of only white space as empty. Keys compared across rows
    (event_key, contract_key) are not made here: ingestion stores them (shared/keys.py).
#}

{% macro remove_white_space(expr) -%}
    {{ return(adapter.dispatch('remove_white_space')(expr)) }}
{%- endmacro %}

{% macro default__remove_white_space(expr) -%}
    replace(replace(replace(replace(replace(replace(replace(
        {{ expr }}, ' ', ''), '　', ''), chr(9), ''), chr(10), ''), chr(13), ''), chr(160), ''), chr(8203), '')
{%- endmacro %}

{% macro duckdb__remove_white_space(expr) -%}
    regexp_replace(
        {{ expr }},
        '[\s\p{Z}\x{0085}\x{180E}\x{200B}\x{200C}\x{200D}\x{2060}\x{FEFF}]',
        '',
        'g'
    )
{%- endmacro %}
