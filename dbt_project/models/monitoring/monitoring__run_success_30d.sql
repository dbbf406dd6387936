-- The success rate of the last 30 days against the planning document's target of 99.9%: one row.
with

daily as (

    select * from {{ ref('monitoring__daily_runs') }}
    where run_date > (current_timestamp at time zone 'utc')::date - 30

),

totals as (

    select
        coalesce(sum(runs), 0) as runs,
        coalesce(sum(runs_succeeded), 0) as runs_succeeded
    from daily

)

select
    runs,
    runs_succeeded,
    runs - runs_succeeded as runs_failed,
    case when runs > 0 then runs_succeeded::numeric / runs end as success_rate,
    0.999 as target_success_rate,
    coalesce(runs > 0 and runs_succeeded::numeric / runs >= 0.999, false) as is_meeting_target
from totals
