{{ masked('stg_opendental__providers') }}
