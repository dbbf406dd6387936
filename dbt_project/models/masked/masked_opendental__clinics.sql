{{ masked('stg_opendental__clinics') }}
