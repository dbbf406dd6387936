-- One row per day with runs: how many succeeded (every table loaded and reconciled), how long they took,
-- and how many rows they read. Built from the run log only, so it works for any copy the pipeline wrote.
with

run_log as (

    select * from {{ source('opendental_pipeline', '_od_run_log') }}

),

runs as (

    select
        run_id,
        min(started_at) as started_at,
        max(finished_at) as finished_at,
        count(*) as tables_in_run,
        count(*) filter (where status = 'ok') as tables_ok,
        coalesce(sum(rows_extracted), 0) as rows_extracted,
        coalesce(sum(retries), 0) as retries,
        bool_and(status = 'ok') as is_succeeded
    from run_log
    group by run_id

),

daily as (

    select
        (started_at at time zone 'utc')::date as run_date,
        count(*) as runs,
        count(*) filter (where is_succeeded) as runs_succeeded,
        sum(rows_extracted) as rows_extracted,
        sum(retries) as retries,
        percentile_cont(0.5) within group (
            order by extract(epoch from finished_at - started_at)
        ) as median_duration_s,
        sum(extract(epoch from finished_at - started_at)) as total_duration_s
    from runs
    group by (started_at at time zone 'utc')::date

)

select
    run_date,
    runs,
    runs_succeeded,
    runs_succeeded::numeric / runs as success_rate,
    rows_extracted,
    retries,
    median_duration_s,
    case when total_duration_s > 0 then rows_extracted / total_duration_s end as rows_per_s
from daily
