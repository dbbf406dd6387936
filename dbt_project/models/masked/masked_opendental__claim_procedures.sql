{{ masked('stg_opendental__claim_procedures') }}
