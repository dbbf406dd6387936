{{ masked('stg_opendental__commlogs') }}
