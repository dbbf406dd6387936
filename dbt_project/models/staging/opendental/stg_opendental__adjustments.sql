with

source as (

    select * from {{ source('opendental', 'adjustment') }}

),

renamed as (

    select
        -- ids
        adj_num as adjustment_id,
        {{ clean_od_fk('pat_num') }} as patient_id,
        {{ clean_od_fk('adj_type') }} as adjustment_type_definition_id,
        {{ clean_od_fk('prov_num') }} as provider_id,
        {{ clean_od_fk('proc_num') }} as procedure_id,
        {{ clean_od_fk('clinic_num') }} as clinic_id,
        {{ clean_od_fk('statement_num') }} as statement_id,
        {{ clean_od_fk('sec_user_num_entry') }} as entry_user_id,

        -- strings
        nullif(adj_note, '') as note,

        -- numerics
        {{ od_money('adj_amt') }} as adjustment_amount,

        -- dates
        {{ clean_od_date('adj_date') }} as adjustment_date,
        {{ clean_od_date('proc_date') }} as procedure_date,
        {{ clean_od_date('date_entry') }} as entry_date,

        -- timestamps
        sec_date_t_edit as updated_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
