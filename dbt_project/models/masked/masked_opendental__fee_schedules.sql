{{ masked('stg_opendental__fee_schedules') }}
