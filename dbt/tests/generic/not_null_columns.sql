{#
    No null in any of `columns`: one test per model instead of one per column. dbt runs each
    test as a node of its own (about 20 ms of dbt's own work each, next to a query of a
    millisecond), so 159 column tests cost more than the models they checked; one scan per
    model counts the nulls of every listed column. A failing row names its column and how
    many rows are null there.
#}
{% test not_null_columns(model, columns) %}
    with null_counts as (
        select
        {%- for col in columns %}
            count(*) filter (where {{ col }} is null) as {{ col }}{{ "," if not loop.last }}
        {%- endfor %}
        from {{ model }}
    )

    select column_name, null_rows
    from (unpivot null_counts on columns(*) into name column_name value null_rows)
    where null_rows > 0
{% endtest %}
