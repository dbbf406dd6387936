{{ masked('stg_opendental__payment_splits') }}
