{{ masked('stg_opendental__operatories') }}
