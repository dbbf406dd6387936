with

source as (

    select * from {{ source('opendental', 'provider') }}

),

renamed as (

    select
        -- ids
        prov_num as provider_id,
        {{ clean_od_fk('fee_sched') }} as fee_schedule_id,
        {{ clean_od_fk('specialty') }} as specialty_definition_id,
        {{ clean_od_fk('school_class_num') }} as school_class_id,
        {{ clean_od_fk('email_address_num') }} as email_address_id,
        {{ clean_od_fk('prov_num_billing_override') }} as billing_override_provider_id,

        -- strings
        nullif(abbr, '') as abbreviation,
        nullif(l_name, '') as last_name,
        nullif(f_name, '') as first_name,
        nullif(mi, '') as middle_initial,
        nullif(suffix, '') as suffix,
        nullif(ssn, '') as ssn,
        nullif(medicaid_id, '') as medicaid_number,
        nullif(national_prov_id, '') as npi,
        nullif(canadian_office_num, '') as canadian_office_number,
        nullif(taxonomy_code_override, '') as taxonomy_code_override,
        nullif(ecw_id, '') as ecw_identifier,
        nullif(custom_id, '') as custom_identifier,
        {{ decode_enum('prov_status', 'ProviderStatus') }} as provider_status,
        {{ decode_enum('is_erx_enabled', 'ErxEnabledStatus') }} as erx_enabled_status,
        nullif(sched_note, '') as scheduling_note,
        nullif(web_sched_descript, '') as web_sched_description,
        nullif(web_sched_image_location, '') as web_sched_image_location,
        nullif(preferred_name, '') as preferred_name,

        -- numerics
        item_order,
        prov_color as provider_color,
        outline_color,
        anesth_prov_type as anesthesia_provider_type,
        ehr_mu_stage,
        {{ od_money('hourly_prod_goal_amt') }} as hourly_production_goal_amount,

        -- booleans
        {{ od_bool('is_secondary') }} as is_hygienist,
        {{ od_bool('is_hidden') }} as is_hidden,
        {{ od_bool('using_tin') }} as is_ssn_a_tax_id,
        {{ od_bool('sig_on_file') }} as has_signature_on_file,
        {{ od_bool('is_cd_anet') }} as is_cdanet,
        {{ od_bool('is_not_person') }} as is_not_person,
        {{ od_bool('is_instructor') }} as is_instructor,
        {{ od_bool('is_hidden_report') }} as is_hidden_on_reports,

        -- dates
        {{ clean_od_date('birthdate') }} as birth_date,
        {{ clean_od_date('date_term') }} as term_end_date,

        -- timestamps
        date_t_stamp as updated_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
