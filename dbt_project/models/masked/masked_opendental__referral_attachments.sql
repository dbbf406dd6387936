{{ masked('stg_opendental__referral_attachments') }}
