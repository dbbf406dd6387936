with

source as (

    select * from {{ source('opendental', 'payment') }}

),

renamed as (

    select
        -- ids
        pay_num as payment_id,
        {{ clean_od_fk('pay_type') }} as payment_type_definition_id,
        {{ clean_od_fk('pat_num') }} as patient_id,
        {{ clean_od_fk('clinic_num') }} as clinic_id,
        {{ clean_od_fk('deposit_num') }} as deposit_id,
        {{ clean_od_fk('sec_user_num_entry') }} as entry_user_id,

        -- strings
        nullif(check_num, '') as check_number,
        nullif(bank_branch, '') as bank_branch,
        nullif(pay_note, '') as note,
        nullif(receipt, '') as receipt_text,
        {{ decode_enum('payment_source', 'CreditCardSource') }} as payment_source,
        {{ decode_enum('process_status', 'ProcessStat') }} as process_status,
        nullif(external_id, '') as external_reference,
        {{ decode_enum('payment_status', 'PaymentStatus') }} as payment_status,

        -- numerics
        {{ od_money('pay_amt') }} as payment_amount,
        {{ od_money('merchant_fee') }} as merchant_fee_amount,

        -- booleans
        {{ od_bool('is_recurring_cc') }} as is_recurring_credit_card,
        {{ od_bool('is_cc_completed') }} as is_credit_card_completed,
        pay_type = 0 as is_income_transfer,

        -- dates
        {{ clean_od_date('pay_date') }} as payment_date,
        {{ clean_od_date('date_entry') }} as entry_date,
        {{ clean_od_date('recurring_charge_date') }} as recurring_charge_date,

        -- timestamps
        sec_date_t_edit as updated_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
