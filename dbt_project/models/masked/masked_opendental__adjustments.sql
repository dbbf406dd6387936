{{ masked('stg_opendental__adjustments') }}
