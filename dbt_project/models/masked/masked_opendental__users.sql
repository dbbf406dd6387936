{{ masked('stg_opendental__users') }}
