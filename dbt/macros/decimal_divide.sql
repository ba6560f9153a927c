{#
    numerator / denominator as DECIMAL(18, scale), rounded half away from zero; null when
    the denominator is null or 0. Money is computed in DECIMAL, never in floating point
    (policy-rules.md), but DuckDB turns every DECIMAL division into DOUBLE, so the DuckDB
    version divides scaled integers (HUGEINT) instead. Operands may carry up to
    `operand_scale` decimals (money: 2).
#}
{% macro decimal_divide(numerator, denominator, scale=2, operand_scale=2) -%}
    {{ return(adapter.dispatch('decimal_divide')(numerator, denominator, scale, operand_scale)) }}
{%- endmacro %}

{% macro default__decimal_divide(numerator, denominator, scale, operand_scale) -%}
    cast(round(cast({{ numerator }} as numeric) / nullif(cast({{ denominator }} as numeric), 0), {{ scale }}) as decimal(18, {{ scale }}))
{%- endmacro %}

{% macro duckdb__decimal_divide(numerator, denominator, scale, operand_scale) -%}
    {%- set a -%} cast(cast(({{ numerator }}) as decimal(38, {{ operand_scale }})) * {{ 10 ** operand_scale }} as hugeint) {%- endset -%}
    {%- set b -%} cast(cast(({{ denominator }}) as decimal(38, {{ operand_scale }})) * {{ 10 ** operand_scale }} as hugeint) {%- endset -%}
    {%- set unit = '1' if scale == 0 else '0.' ~ ('0' * (scale - 1)) ~ '1' -%}
    case
        when ({{ denominator }}) is null or ({{ numerator }}) is null or ({{ denominator }}) = 0 then null
        else cast(
            cast(
                (case when ({{ a }} < 0) <> ({{ b }} < 0) then -1 else 1 end)
                * ((2 * abs({{ a }}) * {{ 10 ** scale }} + abs({{ b }})) // (2 * abs({{ b }})))
                as decimal(38, 0)
            ) * {{ unit }}
            as decimal(18, {{ scale }})
        )
    end
{%- endmacro %}
