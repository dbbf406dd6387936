with

source as (

    select * from {{ source('opendental_pipeline', '_od_run_log') }}

),

renamed as (

    select
        -- ids
        run_id,
        table_name,

        -- strings
        {{ refresh_group_of('table_name') }} as refresh_group,
        status as run_status,
        strategy,
        error as error_message,

        -- numerics
        rows_extracted,
        rows_inserted,
        rows_updated,
        rows_deleted,
        duration_s as duration_seconds,

        -- semi-structured
        zero_dates_nulled,
        schema_changes,

        -- timestamps
        started_at,
        finished_at,
        {{ practice_local_time('finished_at') }} as finished_at_practice_time

    from source

)

select * from renamed
