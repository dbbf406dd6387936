{{ masked('stg_opendental__patient_plans') }}
