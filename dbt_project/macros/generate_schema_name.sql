{#- Production (target `prod`, the default: the clinics' scheduled runs, the demo) builds into the schemas as named:
    staging, snapshots, masked, monitoring, elementary; the warehouse has one analytics database per clinic, so a
    prefix would only add noise there. Any other target (`dev`, a developer's or CI's build beside production)
    builds into `<target schema>_<custom schema>`, dbt's default, so it never writes production's schemas. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if target.name == 'prod' and custom_schema_name is not none -%}
        {{ custom_schema_name | trim }}
    {%- else -%}
        {{ default__generate_schema_name(custom_schema_name, node) }}
    {%- endif -%}
{%- endmacro %}
