{#-
    Rule 1 (row counts), staging side: a staging model has exactly the live rows of its raw table
    (`_od_deleted = false`) minus the soft-deleted rows it documents leaving out (excluded_where, a condition
    on the raw table). Returns one row with both counts when they differ.
-#}
{% test row_count_matches_raw(model, raw_table, excluded_where=none) %}
{{ config(tags=['rule_row_counts']) }}

with staged as (

    select count(*) as staging_rows from {{ model }}

),

raw_live as (

    select count(*) as raw_live_rows
    from {{ source('opendental', raw_table) }}
    where not _od_deleted
    {%- if excluded_where %}
        and ({{ excluded_where }}) is not true
    {%- endif %}

)

select
    staged.staging_rows,
    raw_live.raw_live_rows
from staged
cross join raw_live
where staged.staging_rows <> raw_live.raw_live_rows

{% endtest %}
