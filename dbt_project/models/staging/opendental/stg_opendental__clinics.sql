with

source as (

    select * from {{ source('opendental', 'clinic') }}

),

renamed as (

    select
        -- ids
        clinic_num as clinic_id,
        case when ins_billing_prov > 0 then ins_billing_prov end as insurance_billing_provider_id,
        {{ clean_od_fk('email_address_num') }} as email_address_id,
        {{ clean_od_fk('default_prov') }} as default_provider_id,
        {{ clean_od_fk('region') }} as region_definition_id,

        -- strings
        case
            when ins_billing_prov = 0 then 'PracticeDefaultProvider'
            when ins_billing_prov = -1 then 'TreatingProvider'
            when ins_billing_prov > 0 then 'SpecificProvider'
            else 'Undocumented(' || ins_billing_prov || ')'
        end as insurance_billing_provider_rule,
        nullif(description, '') as description,
        nullif(address, '') as address_line_1,
        nullif(address2, '') as address_line_2,
        nullif(city, '') as city,
        nullif(state, '') as state,
        nullif(zip, '') as zip_code,
        nullif(phone, '') as phone,
        nullif(bank_number, '') as bank_number,
        {{ decode_enum('default_place_service', 'PlaceOfService') }} as default_place_of_service,
        nullif(fax, '') as fax,
        nullif(billing_address, '') as billing_address,
        nullif(billing_address2, '') as billing_address_2,
        nullif(billing_city, '') as billing_city,
        nullif(billing_state, '') as billing_state,
        nullif(billing_zip, '') as billing_zip,
        nullif(pay_to_address, '') as pay_to_address,
        nullif(pay_to_address2, '') as pay_to_address_2,
        nullif(pay_to_city, '') as pay_to_city,
        nullif(pay_to_state, '') as pay_to_state,
        nullif(pay_to_zip, '') as pay_to_zip,
        nullif(abbr, '') as abbreviation,
        nullif(med_lab_account_num, '') as medlab_account_number,
        nullif(sched_note, '') as scheduling_note,
        nullif(time_zone, '') as time_zone,
        nullif(email_alias_override, '') as email_alias_override,

        -- numerics
        {{ od_money('sms_monthly_limit') }} as sms_monthly_limit_amount,
        item_order,
        external_id as external_identifier,

        -- booleans
        {{ od_bool('is_medical_only') }} as is_medical_only,
        {{ od_bool('use_bill_addr_on_claims') }} as is_billing_address_used_on_claims,
        {{ od_bool('is_ins_verify_excluded') }} as is_insurance_verify_excluded,
        {{ od_bool('is_confirm_enabled') }} as is_confirm_enabled,
        {{ od_bool('is_hidden') }} as is_hidden,
        {{ od_bool('has_proc_on_rx') }} as has_proc_on_rx,

        -- timestamps
        {{ clean_od_date('sms_contract_date') }} as sms_contract_signed_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
