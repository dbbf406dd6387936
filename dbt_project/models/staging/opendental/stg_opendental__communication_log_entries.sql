with

source as (

    select * from {{ source('opendental', 'commlog') }}

),

renamed as (

    select
        -- ids
        commlog_num as communication_log_entry_id,
        {{ clean_od_fk('pat_num') }} as patient_id,
        {{ clean_od_fk('comm_type') }} as communication_type_definition_id,
        {{ clean_od_fk('user_num') }} as user_id,
        {{ clean_od_fk('program_num') }} as program_id,
        {{ clean_od_fk('referral_num') }} as referral_id,

        -- strings
        nullif(note, '') as note,
        {{ decode_enum('modex', 'CommItemMode') }} as communication_mode,
        {{ decode_enum('sent_or_received', 'CommSentOrReceived') }} as sent_or_received,
        {{ decode_enum('comm_source', 'CommItemSource') }} as communication_source,
        {{ decode_enum('comm_referral_behavior', 'EnumCommReferralBehavior') }} as referral_behavior,

        -- booleans
        {{ od_bool('sig_is_topaz') }} as is_topaz_signature,
        coalesce(signature, '') <> '' as has_signature,

        -- timestamps
        {{ clean_od_date('comm_date_time') }} as communicated_at,
        date_t_stamp as updated_at,
        {{ clean_od_date('date_time_end') }} as ended_at,
        {{ clean_od_date('date_t_entry') }} as entered_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
