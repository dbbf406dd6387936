-- One row per OpenDental table: its latest pipeline run and that run's proof (the reconciliation). Tests on
-- this model fail when a table's latest run failed or did not reconcile, so extract-load failures appear in the
-- same report as the data-quality tests.
with

runs as (

    select
        *,
        row_number() over (partition by table_name order by started_at desc, finished_at desc) as recency
    from {{ ref('stg_opendental_pipeline__table_runs') }}

),

reconciliations as (

    select
        *,
        row_number() over (partition by table_name order by checked_at desc) as recency
    from {{ ref('stg_opendental_pipeline__reconciliations') }}

),

latest as (

    select
        runs.table_name,
        runs.refresh_group,
        runs.run_id,
        runs.run_status,
        runs.started_at,
        runs.finished_at,
        runs.duration_seconds,
        runs.rows_extracted,
        reconciliations.run_id as reconciled_run_id,
        reconciliations.checked_at as reconciled_at,
        reconciliations.copy_rows as reconciled_copy_rows,
        coalesce(reconciliations.is_match, false) as is_reconciled
    from runs
    left join reconciliations
        on
            runs.table_name = reconciliations.table_name
            and reconciliations.recency = 1
    where runs.recency = 1

)

select * from latest
