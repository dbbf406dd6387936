with

source as (

    select * from {{ source('opendental', 'fee') }}

),

renamed as (

    select
        -- ids
        fee_num as fee_id,
        {{ clean_od_fk('fee_sched') }} as fee_schedule_id,
        {{ clean_od_fk('code_num') }} as procedure_code_id,
        {{ clean_od_fk('clinic_num') }} as clinic_id,
        {{ clean_od_fk('prov_num') }} as provider_id,
        {{ clean_od_fk('sec_user_num_entry') }} as entry_user_id,

        -- numerics
        {{ od_money('amount', blank_sentinel=-1) }} as fee_amount,

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
