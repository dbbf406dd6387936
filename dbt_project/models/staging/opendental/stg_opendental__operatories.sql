with

source as (

    select * from {{ source('opendental', 'operatory') }}

),

renamed as (

    select
        -- ids
        operatory_num as operatory_id,
        {{ clean_od_fk('prov_dentist') }} as dentist_provider_id,
        {{ clean_od_fk('prov_hygienist') }} as hygienist_provider_id,
        {{ clean_od_fk('clinic_num') }} as clinic_id,
        {{ clean_od_fk('operatory_type') }} as operatory_type_definition_id,

        -- strings
        nullif(op_name, '') as operatory_name,
        nullif(abbrev, '') as abbreviation,

        -- numerics
        item_order,

        -- booleans
        {{ od_bool('is_hidden') }} as is_hidden,
        {{ od_bool('is_hygiene') }} as is_hygiene,
        {{ od_bool('set_prospective') }} as is_set_prospective,
        {{ od_bool('is_web_sched') }} as is_web_sched,

        -- timestamps
        date_t_stamp as updated_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
