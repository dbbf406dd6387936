-- Business rule: insurance income has a date. A claim procedure (OpenDental claimproc) marked received or
-- supplemental carries the payment date (DateCP) that insurance income reports are dated by.
-- OpenDental has no maintenance check for exactly this; the nearest, ClaimProcDateNotMatchPayment, keeps DateCP
-- equal to the check's date.
{{ config(tags=['rule_business_rules']) }}

select
    claim_procedure_id,
    claim_id,
    claim_procedure_status,
    insurance_paid_amount,
    payment_date
from {{ ref('stg_opendental__claim_procedures') }}
where
    claim_procedure_status in ('Received', 'Supplemental')
    and payment_date is null
