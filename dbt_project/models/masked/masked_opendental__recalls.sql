{{ masked('stg_opendental__recalls') }}
