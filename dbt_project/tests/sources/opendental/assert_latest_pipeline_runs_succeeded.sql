-- Rule 1 (row counts), context: the latest pipeline run of each table ended ok. A failed or mismatched run
-- leaves raw older than OpenDental (the reconciliation test says whether raw is still consistent); this is a
-- warning so that the analysts see it next to the test results, the pipeline's exit status is the alarm.
{{ config(severity='warn', tags=['rule_row_counts']) }}

with ranked as (

    select
        table_name,
        run_id,
        finished_at,
        status,
        error,
        row_number() over (partition by table_name order by started_at desc) as recency
    from {{ source('opendental_pipeline', '_od_run_log') }}

)

select
    table_name,
    run_id,
    finished_at,
    status,
    error
from ranked
where recency = 1 and status <> 'ok'
