{{ masked('stg_opendental__insurance_subscribers') }}
