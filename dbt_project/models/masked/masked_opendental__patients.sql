{{ masked('stg_opendental__patients') }}
