with

source as (

    select * from {{ source('opendental', 'schedule') }}

),

renamed as (

    select
        -- ids
        schedule_num as schedule_id,
        {{ clean_od_fk('prov_num') }} as provider_id,
        {{ clean_od_fk('blockout_type') }} as blockout_type_definition_id,
        {{ clean_od_fk('employee_num') }} as employee_id,
        {{ clean_od_fk('clinic_num') }} as clinic_id,

        -- strings
        {{ decode_enum('sched_type', 'ScheduleType') }} as schedule_type,
        nullif(note, '') as note,
        {{ decode_enum('status', 'SchedStatus') }} as schedule_status,

        -- dates
        {{ clean_od_date('sched_date') }} as schedule_date,

        -- timestamps
        date_t_stamp as updated_at,

        -- intervals
        {{ od_time('start_time') }} as start_time,
        {{ od_time('stop_time') }} as stop_time,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
