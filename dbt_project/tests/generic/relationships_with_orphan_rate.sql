{#-
    dbt's `relationships` test, plus two things OpenDental needs:
    - max_orphan_pct: OpenDental has no foreign keys and real orphans. With 0 (the default) any orphan is an
      error. Above 0 the test warns on any orphan and errors only when orphans exceed that share of the
      child rows that hold a reference; the rate is documented where it is set.
    - to_condition: restricts the parent rows, e.g. a definition FK must point at the right category.
    The failure count is the number of orphan child rows either way.
-#}
{% test relationships_with_orphan_rate(model, column_name, to, field, max_orphan_pct=0, to_condition=none) %}
{{ config(tags=['rule_foreign_keys']) }}
{%- if max_orphan_pct > 0 %}
    {{ config(warn_if='> 0', error_if='> ' ~ (max_orphan_pct / 100.0) ~ ' * max(checked_rows)') }}
{%- endif %}

with child as (

    select {{ column_name }} as from_field
    from {{ model }}
    where {{ column_name }} is not null

),

parent as (

    select {{ field }} as to_field
    from {{ to }}
    {%- if to_condition %}
    where {{ to_condition }}
    {%- endif %}

),

checked as (

    select count(*) as checked_rows from child

)

select
    child.from_field,
    checked.checked_rows
from child
cross join checked
left join parent
    on child.from_field = parent.to_field
where parent.to_field is null

{% endtest %}
