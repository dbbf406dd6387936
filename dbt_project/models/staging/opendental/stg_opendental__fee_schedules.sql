with

source as (

    select * from {{ source('opendental', 'feesched') }}

),

renamed as (

    select
        -- ids
        fee_sched_num as fee_schedule_id,
        {{ clean_od_fk('sec_user_num_entry') }} as entry_user_id,

        -- strings
        nullif(description, '') as fee_schedule_name,
        {{ decode_enum('fee_sched_type', 'FeeScheduleType') }} as fee_sched_type,

        -- numerics
        item_order,

        -- booleans
        {{ od_bool('is_hidden') }} as is_hidden,
        {{ od_bool('is_global') }} as is_global,

        -- dates
        {{ clean_od_date('sec_date_entry') }} as entry_date,

        -- timestamps
        sec_date_t_edit as updated_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
