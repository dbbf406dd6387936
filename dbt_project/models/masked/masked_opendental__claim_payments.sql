{{ masked('stg_opendental__claim_payments') }}
