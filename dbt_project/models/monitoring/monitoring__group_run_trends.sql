-- Per group and day: how many runs, how many succeeded, and their median duration and rows/s, for the trend of
-- each refresh group (a group slower week after week shows here before it misses its window).
with

run_metrics as (

    select * from {{ source('opendental_pipeline', '_od_run_metrics') }}

),

daily as (

    select
        scope as run_scope,
        full_refresh as is_full_refresh,
        (started_at at time zone 'utc')::date as run_date,
        count(*) as runs,
        count(*) filter (where status = 'ok') as runs_succeeded,
        percentile_cont(0.5) within group (order by duration_s) as median_duration_s,
        percentile_cont(0.5) within group (order by rows_per_s) as median_rows_per_s,
        max(duration_s) as max_duration_s,
        max(peak_memory_mb) as max_peak_memory_mb,
        sum(rows_extracted) as rows_extracted,
        sum(retries) as retries
    from run_metrics
    group by scope, full_refresh, (started_at at time zone 'utc')::date

)

select * from daily
