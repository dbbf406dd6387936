-- The data-quality pass rate against the target of 100%: the latest result of every dbt test Elementary
-- recorded in the last 30 days (one row). Elementary records a build's results when it ends, so a build reads
-- those of the builds before it.
with

test_results as (

    select * from {{ ref('elementary', 'elementary_test_results') }}
    where detected_at > (current_timestamp at time zone 'utc') - interval '30 days'

),

latest as (

    select distinct on (test_unique_id)
        test_unique_id,
        status,
        detected_at
    from test_results
    order by test_unique_id asc, detected_at desc

),

totals as (

    select
        count(*) as tests,
        count(*) filter (where status = 'pass') as tests_passed,
        count(*) filter (where status = 'warn') as tests_warned,
        count(*) filter (where status in ('fail', 'error')) as tests_failed,
        max(detected_at) as latest_result_at
    from latest

)

select
    tests,
    tests_passed,
    tests_warned,
    tests_failed,
    latest_result_at,
    case when tests > 0 then tests_passed::numeric / tests end as pass_rate,
    1.0 as target_pass_rate,
    coalesce(tests > 0 and tests_passed = tests, false) as is_meeting_target
from totals
