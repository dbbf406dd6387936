{{ masked('stg_opendental__payments') }}
