{{ masked('stg_opendental__communication_log_entries') }}
