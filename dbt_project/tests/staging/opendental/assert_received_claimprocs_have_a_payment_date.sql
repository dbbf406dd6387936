-- Business rule: insurance income has a date. A claimproc marked received or supplemental carries the
-- payment date (DateCP) that insurance income reports are dated by.
-- OpenDental has no maintenance check for exactly this; the nearest, ClaimProcDateNotMatchPayment, keeps DateCP
-- equal to the check's date.
{{ config(tags=['rule_business_rules']) }}

select
    claimproc_id,
    claim_id,
    claimproc_status,
    insurance_paid_amount,
    payment_date
from {{ ref('stg_opendental__claimprocs') }}
where
    claimproc_status in ('Received', 'Supplemental')
    and payment_date is null
