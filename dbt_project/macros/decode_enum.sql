{#- CASE expression turning an OpenDental enum code into its label, from opendental_enums(). A code the
    dictionary does not know comes out as 'Undocumented(<code>)', which accepted_values (with opendental_enum_labels) then reports. -#}
{% macro decode_enum(column, enum_name) -%}
    {%- set enums = opendental_enums() -%}
    {%- if enum_name not in enums -%}
        {{ exceptions.raise_compiler_error(
            "decode_enum: unknown enum '" ~ enum_name ~ "'; known: " ~ (enums.keys() | sort | join(', '))) }}
    {%- endif -%}
    {%- set values = enums[enum_name] -%}
    {%- set subject = "coalesce(" ~ column ~ ", '')" if '' in values else column -%}
    case {{ subject }}
    {%- for code, label in values.items() %}
        when {% if code is string %}'{{ code }}'{% else %}{{ code }}{% endif %} then '{{ label }}'
    {%- endfor %}
        else 'Undocumented(' || {{ column }} || ')'
    end
{%- endmacro %}

{#- The labels of one enum, for tests. -#}
{% macro opendental_enum_labels(enum_name) -%}
    {%- set enums = opendental_enums() -%}
    {%- if enum_name not in enums -%}
        {{ exceptions.raise_compiler_error("opendental_enum_labels: unknown enum '" ~ enum_name ~ "'") }}
    {%- endif -%}
    {{ return(enums[enum_name].values() | unique | list) }}
{%- endmacro %}
