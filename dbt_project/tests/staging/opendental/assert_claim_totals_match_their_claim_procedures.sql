-- Business rule: a claim's write-off is the sum of its claimprocs' write-offs (within a cent), as OpenDental's own
-- check says: DatabaseMaintenances.ClaimWriteoffSum (|SUM(claimproc.WriteOff) - claim.WriteOff| > .01).
-- The claim's other totals (ClaimFee, InsPayEst, InsPayAmt) are not checked: they depend on which save path last
-- wrote them (Claims.CalculateAndUpdate sums only Received claimprocs and never Supplemental ones, and keeps
-- ClaimFee of sent claims; the Edit Claim window sums every claimproc), so they legitimately differ from the
-- claimprocs. Build money facts from claim procedures. A warning, and an error above 1% of claims.
{{ config(tags=['rule_business_rules'], warn_if='> 0', error_if='> 0.01 * max(claims_checked)') }}

with claim_procedure_totals as (

    select
        claim_id,
        sum(write_off_amount) as write_off_total
    from {{ ref('stg_opendental__claim_procedures') }}
    where claim_id is not null
    group by claim_id

),

checked as (

    select
        claims.claim_id,
        claims.write_off_amount,
        claim_procedure_totals.write_off_total,
        count(*) over () as claims_checked
    from {{ ref('stg_opendental__claims') }} as claims
    inner join claim_procedure_totals
        on claims.claim_id = claim_procedure_totals.claim_id

)

select
    claim_id,
    write_off_amount,
    write_off_total,
    claims_checked
from checked
where abs(write_off_amount - write_off_total) > 0.01
