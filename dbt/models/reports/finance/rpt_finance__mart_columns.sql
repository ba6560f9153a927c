{#-
    数据表与列的中文名称 every column of every figure mart (figure_marts()) as a clerk reads it,
    for the texts that name changed columns (最新报送, 审批后变更): the header of the first
    sheet (meta order) whose rows are that mart's (meta source_mart) where that sheet shows
    the column, else the Chinese words its yml description starts with, else its name. The
    mart's own name likewise: the first word of its description when Chinese, else its name.
    Read from the graph at execute time, so a header changed in the sheets' yml or a column
    added to a mart is named here without touching this file.
-#}
{%- set leading_zh = '^[\u3400-\u9fff（）()/、：]+' %}
{%- set rows = [] %}
{%- if execute %}
    {%- set by_name = {} %}
    {%- set sheets = [] %}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.package_name == project_name %}
        {%- do by_name.update({node.name: node}) %}
        {%- set meta = node.config.meta or {} %}
        {%- if meta.get('sheet') and meta.get('source_mart') %}
            {%- do sheets.append(node) %}
        {%- endif %}
    {%- endfor %}
    {%- for name in figure_marts() %}
        {%- set node = by_name[name] %}
        {%- set sheet = (sheets | selectattr('config.meta.source_mart', 'equalto', name) | sort(attribute='config.meta.order') | first) %}
        {%- set words = (node.description or '').split() %}
        {%- set mart_zh = words[0] if words and modules.re.match(leading_zh, words[0]) else name %}
        {%- for column, spec in node.columns.items() %}
            {%- set shown = sheet.columns.get(column) if sheet else none %}
            {%- set header = ((shown.config.meta or {}).get('header') or (shown.meta or {}).get('header')) if shown else none %}
            {%- if not header %}
                {%- set found = modules.re.match(leading_zh, (spec.description or '') | trim) %}
                {%- set header = found.group(0) if found else column %}
            {%- endif %}
            {%- do rows.append([name, mart_zh, column, header]) %}
        {%- endfor %}
    {%- endfor %}
{%- endif %}

{%- if rows %}
select
    cast(mart as varchar) as mart,
    cast(mart_zh as varchar) as mart_zh,
    cast(column_name as varchar) as column_name,
    cast(column_zh as varchar) as column_zh
from (
    values
    {%- for r in rows %}
        ({% for v in r %}'{{ v | replace("'", "''") }}'{% if not loop.last %}, {% endif %}{% endfor %}){% if not loop.last %},{% endif %}
    {%- endfor %}
) as names (mart, mart_zh, column_name, column_zh)
{%- else %}
select
    cast(null as varchar) as mart,
    cast(null as varchar) as mart_zh,
    cast(null as varchar) as column_name,
    cast(null as varchar) as column_zh
where false
{%- endif %}
