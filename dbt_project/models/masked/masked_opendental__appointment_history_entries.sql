{{ masked('stg_opendental__appointment_history_entries') }}
