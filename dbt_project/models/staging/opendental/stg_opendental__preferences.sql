with

source as (

    select * from {{ source('opendental', 'preference') }}

),

renamed as (

    select
        -- ids
        pref_num as preference_id,

        -- strings
        nullif(pref_name, '') as preference_name,
        nullif(value_string, '') as preference_value,
        nullif(comments, '') as preference_description,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
