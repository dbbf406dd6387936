{#-
    Rule 4 (data types), raw side: every column declared with a data_type on this source table exists in the
    warehouse with exactly that type (information_schema's name for it). A column that disappeared or changed
    type in raw fails here, before any model reads it. Columns raw has but the source YAML does not declare
    (a new OpenDental column) are not failures: the pipeline reports them in _od_run_log.schema_changes.
-#}
{% test raw_columns_match_declared_types(model) %}
{{ config(tags=['rule_data_types']) }}
{%- set declared = [] -%}
{%- if execute -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.schema == model.schema and node.identifier == model.identifier -%}
            {%- for column in node.columns.values() -%}
                {%- if column.data_type -%}
                    {%- do declared.append((column.name, column.data_type)) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

with declared as (

    {%- for name, data_type in declared %}
    select
        '{{ name }}' as column_name,
        '{{ data_type }}' as declared_type
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    select
        cast(null as text) as column_name,
        cast(null as text) as declared_type
    where false
    {%- endfor %}

),

actual as (

    select
        column_name,
        data_type as actual_type
    from information_schema.columns
    where
        table_schema = '{{ model.schema }}'
        and table_name = '{{ model.identifier }}'

)

select
    declared.column_name,
    declared.declared_type,
    actual.actual_type
from declared
left join actual
    on declared.column_name = actual.column_name
where actual.actual_type is distinct from declared.declared_type

{% endtest %}
