with

source as (

    select * from {{ source('opendental', 'claimpayment') }}

),

renamed as (

    select
        -- ids
        claim_payment_num as claim_payment_id,
        {{ clean_od_fk('clinic_num') }} as clinic_id,
        {{ clean_od_fk('deposit_num') }} as deposit_id,
        {{ clean_od_fk('pay_type') }} as payment_type_definition_id,
        {{ clean_od_fk('sec_user_num_entry') }} as entry_user_id,
        {{ clean_od_fk('pay_group') }} as payment_group_definition_id,

        -- strings
        nullif(check_num, '') as check_number,
        nullif(bank_branch, '') as bank_branch,
        nullif(note, '') as note,
        nullif(carrier_name, '') as carrier_name,

        -- numerics
        {{ od_money('check_amt') }} as check_amount,

        -- booleans
        {{ od_bool('is_partial') }} as is_partial,

        -- dates
        {{ clean_od_date('check_date') }} as check_date,
        {{ clean_od_date('date_issued') }} as issued_date,
        {{ clean_od_date('sec_date_entry') }} as entry_date,

        -- timestamps
        sec_date_t_edit as updated_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
