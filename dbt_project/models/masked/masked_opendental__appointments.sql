{{ masked('stg_opendental__appointments') }}
