-- Business rule: the splits of a patient payment add up to the payment (within a cent). OpenDental allocates
-- every payment to patients and providers through paysplits; income by provider comes from the splits and
-- deposits from the payment, so a gap means income reported twice or not at all.
-- Known exceptions: real databases carry a few payments whose splits were edited apart (OpenDental's database
-- maintenance has a check for it); the demo source injects 0.02% (at least one). So: a warning for any such
-- payment, an error when they exceed 1% of payments.
-- OpenDental's own check: DatabaseMaintenances.PaymentAmtNotMatchPaySplitTotal (manual fix).
{{ config(tags=['rule_business_rules'], warn_if='> 0', error_if='> 0.01 * max(payments_checked)') }}

with split_totals as (

    select
        payment_id,
        sum(split_amount) as split_total
    from {{ ref('stg_opendental__payment_splits') }}
    group by payment_id

),

compared as (

    select
        payments.payment_id,
        payments.payment_amount,
        coalesce(split_totals.split_total, 0) as split_total,
        count(*) over () as payments_checked
    from {{ ref('stg_opendental__payments') }} as payments
    left join split_totals
        on payments.payment_id = split_totals.payment_id

)

select
    payment_id,
    payment_amount,
    split_total,
    payments_checked
from compared
where abs(payment_amount - split_total) > 0.01
