with

source as (

    select * from {{ source('opendental', 'refattach') }}

),

renamed as (

    select
        -- ids
        ref_attach_num as referral_attachment_id,
        {{ clean_od_fk('referral_num') }} as referral_id,
        {{ clean_od_fk('pat_num') }} as patient_id,
        {{ clean_od_fk('proc_num') }} as procedure_id,
        {{ clean_od_fk('prov_num') }} as provider_id,

        -- strings
        {{ decode_enum('ref_type', 'ReferralType') }} as referral_type,
        {{ decode_enum('ref_to_status', 'ReferralToStatus') }} as referral_to_status,
        nullif(note, '') as note,

        -- numerics
        item_order,

        -- booleans
        {{ od_bool('is_transition_of_care') }} as is_transition_of_care,

        -- dates
        {{ clean_od_date('ref_date') }} as referral_date,
        {{ clean_od_date('date_proc_complete') }} as procedure_completed_date,

        -- timestamps
        date_t_stamp as updated_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
