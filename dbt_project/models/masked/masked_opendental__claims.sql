{{ masked('stg_opendental__claims') }}
