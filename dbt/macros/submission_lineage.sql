{#- The lineage every staged row carries back to its submission: which version, file,
    sheet and Excel row it came from. One definition, used by every staging model. -#}
{% macro submission_lineage() -%}
    submission_id,
    version as submission_version,
    source_file,
    sheet,
    row_number as source_row_number,
    loaded_at
{%- endmacro %}
