-- Business rule: a finalized insurance check equals the insurance payments attached to it (within a cent). Each
-- claimproc paid by a check points at it (claim_payment_id); the check amount is what the bank deposit holds
-- and the claimprocs are what the patients' accounts were credited.
-- OpenDental's own check: DatabaseMaintenances.ClaimPaymentCheckAmt (sum of claimproc.InsPayAmt vs CheckAmt).
-- Scoped as OpenDental scopes it: a partial check (is_partial) is a batch still being entered and may differ
-- (FormClaimPayEdit flags a mismatched save as partial). A finalized check may still be saved after "Amounts do
-- not match. Continue anyway?" (FormClaimPayBatch), so finalized mismatches warn, and error above 1% of checks.
{{ config(tags=['rule_business_rules'], warn_if='> 0', error_if='> 0.01 * max(finalized_checks)') }}

with attached as (

    select
        claim_payment_id,
        sum(insurance_paid_amount) as paid_total
    from {{ ref('stg_opendental__claim_procedures') }}
    where claim_payment_id is not null
    group by claim_payment_id

),

finalized as (

    select
        claim_payment_id,
        check_amount,
        count(*) over () as finalized_checks
    from {{ ref('stg_opendental__claim_payments') }}
    where not is_partial

)

select
    finalized.claim_payment_id,
    finalized.check_amount,
    coalesce(attached.paid_total, 0) as paid_total,
    finalized.finalized_checks
from finalized
left join attached
    on finalized.claim_payment_id = attached.claim_payment_id
where abs(finalized.check_amount - coalesce(attached.paid_total, 0)) > 0.01
