{{ masked('stg_opendental__benefits') }}
