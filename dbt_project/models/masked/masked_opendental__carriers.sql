{{ masked('stg_opendental__carriers') }}
