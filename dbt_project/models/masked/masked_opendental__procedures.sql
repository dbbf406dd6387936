{{ masked('stg_opendental__procedures') }}
