with

source as (

    select * from {{ source('opendental', 'deletedobject') }}

),

renamed as (

    select
        -- ids
        deleted_object_num as deleted_object_id,
        {{ clean_od_fk('object_num') }} as object_key,

        -- strings
        {{ decode_enum('object_type', 'DeletedObjectType') }} as object_type,

        -- timestamps
        date_t_stamp as deleted_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
