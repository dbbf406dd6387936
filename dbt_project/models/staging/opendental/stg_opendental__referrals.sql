with

source as (

    select * from {{ source('opendental', 'referral') }}

),

renamed as (

    select
        -- ids
        referral_num as referral_id,
        {{ clean_od_fk('specialty') }} as specialty_definition_id,
        {{ clean_od_fk('pat_num') }} as patient_id,
        {{ clean_od_fk('slip') }} as referral_slip_sheet_def_id,

        -- strings
        nullif(l_name, '') as last_name,
        nullif(f_name, '') as first_name,
        nullif(m_name, '') as middle_name,
        nullif(ssn, '') as ssn,
        nullif(st, '') as state,
        nullif(telephone, '') as telephone,
        nullif(address, '') as address_line_1,
        nullif(address2, '') as address_line_2,
        nullif(city, '') as city,
        nullif(zip, '') as zip_code,
        nullif(note, '') as note,
        nullif(phone2, '') as phone_2,
        nullif(title, '') as title,
        nullif(e_mail, '') as email,
        nullif(national_prov_id, '') as npi,
        nullif(business_name, '') as business_name,
        nullif(display_note, '') as display_note,

        -- booleans
        {{ od_bool('using_tin') }} as is_ssn_a_tax_id,
        {{ od_bool('is_hidden') }} as is_hidden,
        {{ od_bool('not_person') }} as is_not_person,
        {{ od_bool('is_doctor') }} as is_doctor,
        {{ od_bool('is_trusted_direct') }} as is_trusted_direct,
        {{ od_bool('is_preferred') }} as is_preferred,

        -- timestamps
        date_t_stamp as updated_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
