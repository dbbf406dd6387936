with

source as (

    select * from {{ source('opendental', 'securitylog') }}

),

renamed as (

    select
        -- ids
        security_log_num as security_log_entry_id,
        {{ clean_od_fk('user_num') }} as user_id,
        {{ clean_od_fk('pat_num') }} as patient_id,
        {{ clean_od_fk('f_key') }} as object_key,

        -- strings
        {{ decode_enum('perm_type', 'EnumPermType') }} as permission_type,
        nullif(log_text, '') as log_text,
        nullif(comp_name, '') as computer_name,
        {{ decode_enum('log_source', 'LogSources') }} as log_source,

        -- numerics
        perm_type as permission_type_code,

        -- timestamps
        {{ clean_od_date('log_date_time') }} as logged_at,
        {{ clean_od_date('date_t_previous') }} as object_previous_stamp_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
