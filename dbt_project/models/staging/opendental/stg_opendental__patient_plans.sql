with

source as (

    select * from {{ source('opendental', 'patplan') }}

),

renamed as (

    select
        -- ids
        pat_plan_num as patient_plan_id,
        {{ clean_od_fk('pat_num') }} as patient_id,
        {{ clean_od_fk('ins_sub_num') }} as insurance_subscriber_id,

        -- strings
        {{ decode_enum('relationship', 'Relat') }} as relationship_to_subscriber,
        nullif(pat_id, '') as patient_insurance_number,

        -- numerics
        ordinal,
        {{ od_money('ortho_auto_fee_billed_override', blank_sentinel=-1) }} as ortho_auto_fee_billed_override,

        -- booleans
        {{ od_bool('is_pending') }} as is_pending,

        -- dates
        {{ clean_od_date('ortho_auto_next_claim_date') }} as ortho_auto_next_claim_date,

        -- timestamps
        {{ clean_od_date('sec_date_t_entry') }} as entered_at,
        sec_date_t_edit as updated_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
