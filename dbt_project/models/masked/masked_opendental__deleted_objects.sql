{{ masked('stg_opendental__deleted_objects') }}
