with

source as (

    select * from {{ source('opendental', 'recall') }}

),

renamed as (

    select
        -- ids
        recall_num as recall_id,
        {{ clean_od_fk('pat_num') }} as patient_id,
        {{ clean_od_fk('recall_status') }} as recall_status_definition_id,
        {{ clean_od_fk('recall_type_num') }} as recall_type_id,

        -- strings
        nullif(note, '') as note,
        {{ decode_enum('priority', 'RecallPriority') }} as recall_priority,
        nullif(time_pattern_override, '') as time_pattern_override,

        -- numerics
        recall_interval as recall_interval_packed,
        {{ od_money('disable_until_balance') }} as disable_until_balance_amount,

        -- booleans
        {{ od_bool('is_disabled') }} as is_disabled,

        -- dates
        {{ clean_od_date('date_due_calc') }} as calculated_due_date,
        {{ clean_od_date('date_due') }} as due_date,
        {{ clean_od_date('date_previous') }} as previous_date,
        {{ clean_od_date('disable_until_date') }} as disable_until_date,
        {{ clean_od_date('date_scheduled') }} as scheduled_date,

        -- timestamps
        date_t_stamp as updated_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
