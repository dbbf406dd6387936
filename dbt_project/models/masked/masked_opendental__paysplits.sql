{{ masked('stg_opendental__paysplits') }}
