{{ masked('stg_opendental__insurance_plans') }}
