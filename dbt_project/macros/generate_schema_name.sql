{#- A model with a custom schema (+schema: staging) goes to that schema as named, not <target>_staging:
    the warehouse has one analytics database per clinic, so the prefix would only add noise. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
