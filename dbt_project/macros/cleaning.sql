{#- Cleaning rules for OpenDental columns, used by every staging model. Documented in _macros.yml. -#}

{% macro clean_od_date(column) -%}
    case when extract(year from {{ column }}) >= 1880 then {{ column }} end
{%- endmacro %}

{#- An appointment's arrived / seated / dismissed time: OpenDental writes midnight of the appointment's day
    (or 0001-01-01 00:00:00) when the time is not set, and shows a value only when its time of day is after
    00:00 (FormApptEdit.cs), so a time of day of exactly 00:00:00 means "not set". -#}
{% macro clean_od_clock_time(column) -%}
    case when extract(year from {{ column }}) >= 1880 and cast({{ column }} as time) > time '00:00:00' then {{ column }} end
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

{#- An instant (timestamptz, e.g. a change stamp) as the practice's wall time (var practice_time_zone), the clock
    that OpenDental's DATETIME columns use, so the two can be compared. -#}
{% macro practice_local_time(column) -%}
    ({{ column }} at time zone '{{ var("practice_time_zone") }}')
{%- endmacro %}
