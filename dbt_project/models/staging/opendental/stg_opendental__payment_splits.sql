with

source as (

    select * from {{ source('opendental', 'paysplit') }}

),

renamed as (

    select
        -- ids
        split_num as payment_split_id,
        {{ clean_od_fk('pat_num') }} as patient_id,
        {{ clean_od_fk('pay_num') }} as payment_id,
        {{ clean_od_fk('prov_num') }} as provider_id,
        {{ clean_od_fk('pay_plan_num') }} as payment_plan_id,
        {{ clean_od_fk('proc_num') }} as procedure_id,
        {{ clean_od_fk('unearned_type') }} as unearned_type_definition_id,
        {{ clean_od_fk('clinic_num') }} as clinic_id,
        {{ clean_od_fk('sec_user_num_entry') }} as entry_user_id,
        {{ clean_od_fk('adj_num') }} as adjustment_id,
        {{ clean_od_fk('pay_plan_charge_num') }} as payment_plan_charge_id,

        -- strings
        {{ decode_enum('pay_plan_debit_type', 'PayPlanDebitTypes') }} as payment_plan_debit_type,

        -- numerics
        {{ od_money('split_amt') }} as split_amount,

        -- dates
        {{ clean_od_date('date_pay') }} as payment_date,
        {{ clean_od_date('date_entry') }} as entry_date,

        -- timestamps
        sec_date_t_edit as updated_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
