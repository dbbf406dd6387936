with

source as (

    select * from {{ source('opendental', 'carrier') }}

),

renamed as (

    select
        -- ids
        carrier_num as carrier_id,
        {{ clean_od_fk('canadian_network_num') }} as canadian_network_id,
        {{ clean_od_fk('sec_user_num_entry') }} as entry_user_id,
        {{ clean_od_fk('carrier_group_name') }} as carrier_group_definition_id,

        -- strings
        nullif(carrier_name, '') as carrier_name,
        nullif(address, '') as address_line_1,
        nullif(address2, '') as address_line_2,
        nullif(city, '') as city,
        nullif(state, '') as state,
        nullif(zip, '') as zip_code,
        nullif(phone, '') as phone,
        nullif(elect_id, '') as electronic_payer_code,
        {{ decode_enum('no_send_elect', 'NoSendElectType') }} as electronic_sending,
        nullif(cd_anet_version, '') as cdanet_version,
        nullif(tin, '') as tax_id_number,
        {{ decode_enum('cob_ins_paid_behavior_override', 'EclaimCobInsPaidBehavior') }}
            as cob_insurance_paid_behavior_override,
        {{ decode_enum('era_automation_override', 'EraAutomationMode') }} as era_automation_override,
        {{ decode_enum('ortho_ins_pay_consolidate', 'EnumOrthoInsPayConsolidate') }}
            as ortho_insurance_payment_consolidation,

        -- numerics
        canadian_encryption_method,
        canadian_supported_types as canadian_supported_types_flags,
        appt_text_back_color as appointment_text_back_color,
        trusted_etrans_flags,

        -- booleans
        {{ od_bool('is_cda') }} as is_cdanet,
        {{ od_bool('is_hidden') }} as is_hidden,
        {{ od_bool('is_coinsurance_inverted') }} as is_coinsurance_inverted,

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
