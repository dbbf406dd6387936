{#- Cleaning rules for OpenDental columns, used by every staging model. Documented in _macros.yml. -#}

{% macro clean_od_date(column) -%}
    case when extract(year from {{ column }}) >= 1880 then {{ column }} end
{%- endmacro %}

{% macro clean_od_fk(column) -%}
    nullif({{ column }}, 0)
{%- endmacro %}

{% macro od_money(column, blank_sentinel=none) -%}
    {%- if blank_sentinel is not none -%}
        cast(round(cast(nullif({{ column }}, {{ blank_sentinel }}) as numeric), 2) as numeric(12, 2))
    {%- else -%}
        cast(round(cast({{ column }} as numeric), 2) as numeric(12, 2))
    {%- endif -%}
{%- endmacro %}

{% macro od_bool(column) -%}
    ({{ column }} <> 0)
{%- endmacro %}

{% macro od_time(column) -%}
    cast(nullif({{ column }}, '') as interval)
{%- endmacro %}
