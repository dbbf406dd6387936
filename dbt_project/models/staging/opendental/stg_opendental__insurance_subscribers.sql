with

source as (

    select * from {{ source('opendental', 'inssub') }}

),

renamed as (

    select
        -- ids
        ins_sub_num as insurance_subscriber_id,
        {{ clean_od_fk('plan_num') }} as insurance_plan_id,
        {{ clean_od_fk('subscriber') }} as subscriber_patient_id,
        {{ clean_od_fk('sec_user_num_entry') }} as entry_user_id,

        -- strings
        nullif(subscriber_id, '') as subscriber_number,
        nullif(benefit_notes, '') as benefit_notes,
        nullif(subsc_note, '') as subscriber_note,

        -- booleans
        {{ od_bool('release_info') }} as has_release_of_information,
        {{ od_bool('assign_ben') }} as has_assignment_of_benefits,

        -- dates
        {{ clean_od_date('date_effective') }} as effective_date,
        {{ clean_od_date('date_term') }} as termination_date,
        {{ clean_od_date('sec_date_entry') }} as entry_date,

        -- timestamps
        sec_date_t_edit as updated_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
