{#-
    Where the approved figures (what finance pays against) and the latest received figures
    differ (issue 10): one row per mart and row, over every mart both builds make
    (figure_marts()). This model belongs to the approved build (issue 17), which runs after
    the latest one: ref(mart) is the approved mart, latest_relation(mart) the latest one.
    Written once for all marts: each mart's columns and grain are read from the graph (its
    yml, through its unique_combination_of_columns test), so a column or a mart added to the
    contract is compared without touching this file.

    A row's grain values are returned typed, one column per grain column of any mart (null
    where that mart has no such column), so a report joins a mart row to its difference on
    the grain itself; row_key is the same values as text, for people.

    At parse time only the refs are declared; the graph is read at execute time. Values are
    compared with IS DISTINCT FROM, so two nulls are equal.
-#}
{%- set marts = figure_marts() %}
{%- for name in marts %}
    {%- set _ = ref(name) %}
{%- endfor %}

{%- if execute %}
{%- set by_name = {} %}
{%- set grains = {} %}
{%- for node in graph.nodes.values() %}
    {%- if node.resource_type == 'model' and node.package_name == project_name %}
        {%- do by_name.update({node.name: node}) %}
    {%- elif node.resource_type == 'test' and (node.test_metadata or {}).get('name') == 'unique_combination_of_columns' %}
        {%- do grains.update({node.attached_node: node.test_metadata.kwargs.combination_of_columns}) %}
    {%- endif %}
{%- endfor %}

{%- set parts = [] %}
{%- set grain_types = {} %}
{%- set grain_order = [] %}
{%- for name in marts %}
    {%- set node = by_name.get(name) %}
    {%- if node is none %}
        {{ exceptions.raise_compiler_error("approval_differences: figure_marts() names '" ~ name ~ "', which is not a model of this project") }}
    {%- endif %}
    {%- set grain = grains.get(node.unique_id) %}
    {%- if not grain %}
        {{ exceptions.raise_compiler_error("approval_differences: mart '" ~ name ~ "' has no unique_combination_of_columns test in its yml; its grain (combination_of_columns) says which rows of the approved and latest figures are the same row") }}
    {%- endif %}
    {%- set columns = node.columns.keys() | list %}
    {%- if 'year' not in grain %}
        {{ exceptions.raise_compiler_error("approval_differences: the grain of mart '" ~ name ~ "' lacks year (" ~ grain | join(', ') ~ "); every difference is reported per year") }}
    {%- endif %}
    {%- for g in grain %}
        {%- if g not in columns %}
            {{ exceptions.raise_compiler_error("approval_differences: the grain column '" ~ g ~ "' of mart '" ~ name ~ "' is not among its yml columns") }}
        {%- endif %}
    {%- endfor %}
    {%- set compared = columns | reject('in', grain) | list %}
    {%- do parts.append({'name': name, 'grain': grain, 'compared': compared, 'columns': columns}) %}
    {%- for g in grain if g not in ('year', 'school_code', 'county_code') and g not in grain_types %}
        {%- do grain_types.update({g: node.columns[g].data_type}) %}
        {%- do grain_order.append(g) %}
    {%- endfor %}
{%- endfor %}

{%- for p in parts %}
{%- set on = [] %}
{%- for g in p.grain %}{% do on.append('l.' ~ g ~ ' is not distinct from a.' ~ g) %}{% endfor %}
{%- set key = [] %}
{%- for g in p.grain %}{% do key.append('coalesce(cast(coalesce(l.' ~ g ~ ', a.' ~ g ~ ') as varchar), \'\')') %}{% endfor %}
{%- set changed = [] %}
{%- for c in p.compared %}{% do changed.append("case when l." ~ c ~ " is distinct from a." ~ c ~ " then '" ~ c ~ "' end") %}{% endfor %}
select
    cast(coalesce(l.year, a.year) as integer) as year,
    '{{ p.name }}' as mart,
    {{ key | join(" || ' | ' || ") }} as row_key,
    {% if 'school_code' in p.columns %}cast(coalesce(l.school_code, a.school_code) as varchar){% else %}cast(null as varchar){% endif %} as school_code,
    {% if 'county_code' in p.columns %}cast(coalesce(l.county_code, a.county_code) as varchar){% else %}cast(null as varchar){% endif %} as county_code,
    {%- for g in grain_order %}
    {% if g in p.grain %}coalesce(l.{{ g }}, a.{{ g }}){% else %}cast(null as {{ grain_types[g] }}){% endif %} as {{ g }},
    {%- endfor %}
    case
        when a._in_approved is null then 'not_approved'
        when l._in_latest is null then 'withdrawn'
        else 'changed'
    end as difference,
    case when l._in_latest and a._in_approved then
        {% if changed %}nullif(concat_ws(', ', {{ changed | join(', ') }}), ''){% else %}cast(null as varchar){% endif %}
    end as changed_columns
from (select *, true as _in_latest from {{ latest_relation(p.name) }}) as l
full outer join (select *, true as _in_approved from {{ ref(p.name) }}) as a
    on {{ on | join(' and ') }}
where a._in_approved is null
    or l._in_latest is null
    {%- for c in p.compared %}
    or l.{{ c }} is distinct from a.{{ c }}
    {%- endfor %}
{% if not loop.last %}union all
{% endif %}
{%- endfor %}
{%- else %}
{#- parse time: the graph is not complete yet; a typed empty relation stands in. -#}
select
    cast(null as integer) as year,
    cast(null as varchar) as mart,
    cast(null as varchar) as row_key,
    cast(null as varchar) as school_code,
    cast(null as varchar) as county_code,
    cast(null as varchar) as difference,
    cast(null as varchar) as changed_columns
where false
{%- endif %}
