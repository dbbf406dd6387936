{{ masked('stg_opendental__security_logs') }}
