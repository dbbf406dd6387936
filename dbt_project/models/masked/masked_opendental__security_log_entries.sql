{{ masked('stg_opendental__security_log_entries') }}
