{#- CASE expression giving the refresh group (high, medium, low) of an OpenDental table name, read from the
    `refresh_group` meta of the tables of source `opendental` (which follows pipelines/opendental_sync/tables.toml;
    tests/dbt/test_sources_follow_registry.py checks that). Tables that no source declares come out NULL. -#}
{% macro refresh_group_of(column) -%}
    {%- set groups = [] -%}
    {%- if execute -%}
        {%- for node in graph.sources.values() | sort(attribute='identifier') -%}
            {%- if node.source_name == 'opendental' and node.meta.get('refresh_group') -%}
                {%- do groups.append((node.identifier, node.meta['refresh_group'])) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if groups -%}
    case {{ column }}
    {%- for table, group in groups %}
        when '{{ table }}' then '{{ group }}'
    {%- endfor %}
    end
    {%- else -%}
    cast(null as text)
    {%- endif -%}
{%- endmacro %}
