with

source as (

    select * from {{ source('opendental_pipeline', '_od_reconciliation') }}

),

renamed as (

    select
        -- ids
        run_id,
        table_name,

        -- strings
        source_checksum,
        copy_checksum,
        mismatch_ranges,

        -- numerics
        source_rows,
        copy_rows,
        in_flight as rows_in_flight,

        -- booleans
        matches as is_match,

        -- timestamps
        checked_at

    from source

)

select * from renamed
