{{ masked('stg_opendental__referrals') }}
