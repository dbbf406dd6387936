{{ masked('stg_opendental__definitions') }}
