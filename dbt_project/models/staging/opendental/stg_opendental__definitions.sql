with

source as (

    select * from {{ source('opendental', 'definition') }}

),

renamed as (

    select
        -- ids
        def_num as definition_id,

        -- strings
        {{ decode_enum('category', 'DefCat') }} as category,
        nullif(item_name, '') as item_name,
        nullif(item_value, '') as item_value,

        -- numerics
        item_order,
        item_color,

        -- booleans
        {{ od_bool('is_hidden') }} as is_hidden,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
