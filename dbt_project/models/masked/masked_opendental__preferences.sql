{{ masked('stg_opendental__preferences') }}
