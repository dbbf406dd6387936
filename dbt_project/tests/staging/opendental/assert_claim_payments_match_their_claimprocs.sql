-- Business rule: an insurance check equals the insurance payments attached to it (within a cent). Each
-- claimproc paid by a check points at it (claim_payment_id); the check amount is what the bank deposit holds
-- and the claimprocs are what the patients' accounts were credited.
{{ config(tags=['rule_business_rules']) }}

with attached as (

    select
        claim_payment_id,
        sum(insurance_paid_amount) as paid_total
    from {{ ref('stg_opendental__claimprocs') }}
    where claim_payment_id is not null
    group by claim_payment_id

)

select
    claim_payments.claim_payment_id,
    claim_payments.check_amount,
    coalesce(attached.paid_total, 0) as paid_total
from {{ ref('stg_opendental__claim_payments') }} as claim_payments
left join attached
    on claim_payments.claim_payment_id = attached.claim_payment_id
where abs(claim_payments.check_amount - coalesce(attached.paid_total, 0)) > 0.01
