-- Business rule: a claim's totals are the sums of its procedures' claimprocs (within a cent): the fee billed
-- and the amount insurance paid. OpenDental recomputes the claim from its claimprocs; a claim that disagrees
-- with them shows a different balance on the claim than in the patient's account.
{{ config(tags=['rule_business_rules']) }}

with claimproc_totals as (

    select
        claim_id,
        sum(fee_billed) as fee_billed_total,
        sum(insurance_paid_amount) as insurance_paid_total
    from {{ ref('stg_opendental__claimprocs') }}
    where claim_id is not null
    group by claim_id

)

select
    claims.claim_id,
    claims.claim_fee,
    claimproc_totals.fee_billed_total,
    claims.insurance_paid_amount,
    claimproc_totals.insurance_paid_total
from {{ ref('stg_opendental__claims') }} as claims
inner join claimproc_totals
    on claims.claim_id = claimproc_totals.claim_id
where
    abs(claims.claim_fee - claimproc_totals.fee_billed_total) > 0.01
    or abs(claims.insurance_paid_amount - claimproc_totals.insurance_paid_total) > 0.01
