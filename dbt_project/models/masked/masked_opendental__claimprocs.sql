{{ masked('stg_opendental__claimprocs') }}
