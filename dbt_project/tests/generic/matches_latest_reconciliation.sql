{#-
    Rule 1 (row counts), raw vs OpenDental: the latest reconciliation the pipeline wrote for this raw table
    (_od_reconciliation) says the copy equals the source, and raw still holds the live rows it counted.
    Fails (one row, with the figures) when
    - there is no reconciliation for the table,
    - the reconciliation did not match (keys or change stamps differ, see mismatch_ranges),
    - source_rows and copy_rows differ by more than the changes made in OpenDental during the run (in_flight),
    - raw's live rows now differ from the copy_rows reconciled (raw changed after the check, e.g. a run that
      loaded and then failed before reconciling).
-#}
{% test matches_latest_reconciliation(model) %}
{{ config(tags=['rule_row_counts']) }}

with latest as (

    select
        table_name,
        run_id,
        checked_at,
        source_rows,
        copy_rows,
        in_flight,
        matches,
        mismatch_ranges
    from {{ source('opendental_pipeline', '_od_reconciliation') }}
    where table_name = '{{ model.identifier }}'
    order by checked_at desc
    limit 1

),

raw_live as (

    select count(*) as raw_live_rows
    from {{ model }}
    where not _od_deleted

)

select
    '{{ model.identifier }}' as table_name,
    latest.run_id,
    latest.checked_at,
    latest.source_rows,
    latest.copy_rows,
    latest.in_flight,
    latest.matches,
    latest.mismatch_ranges,
    raw_live.raw_live_rows
from raw_live
left join latest on true
where
    latest.table_name is null
    or not latest.matches
    or abs(latest.source_rows - latest.copy_rows) > coalesce(latest.in_flight, 0)
    or raw_live.raw_live_rows <> latest.copy_rows

{% endtest %}
