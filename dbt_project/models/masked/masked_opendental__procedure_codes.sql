{{ masked('stg_opendental__procedure_codes') }}
