{#
    Policy seed rows carry the years they apply to (valid_from_year .. valid_to_year, valid_to_year
    9999 (or empty) meaning until further notice). Fails for a period that ends before it
    starts, and for two rows of the same `partition_by` key whose periods overlap (the
    year's value would be ambiguous).
#}
{% test valid_periods(model, partition_by) %}
    select 'ends_before_start' as problem, a.valid_from_year, a.valid_to_year
    from {{ model }} as a
    where a.valid_to_year < a.valid_from_year

    union all

    select 'overlap' as problem, a.valid_from_year, a.valid_to_year
    from {{ model }} as a
    inner join {{ model }} as b
        on {% for col in partition_by %}a.{{ col }} = b.{{ col }} and {% endfor %}
        a.valid_from_year < b.valid_from_year
    where a.valid_to_year is null or a.valid_to_year >= b.valid_from_year
{% endtest %}
