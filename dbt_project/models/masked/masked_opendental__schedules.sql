{{ masked('stg_opendental__schedules') }}
