{{ masked('stg_opendental__fees') }}
