-- Business rule: a paysplit is dated like its payment (OpenDental keeps DatePay in step with PayDate). Income
-- by provider is dated by the split and deposits by the payment; a drift moves income between periods.
-- A payment without a date is reported by assert_payments_have_a_date.
-- OpenDental has no maintenance check for it: its payment window keeps every split's DatePay equal to the
-- payment's date (PaySplit.cs, FormPayment.cs).
{{ config(tags=['rule_business_rules']) }}

select
    paysplits.paysplit_id,
    paysplits.payment_id,
    paysplits.payment_date as split_date,
    payments.payment_date
from {{ ref('stg_opendental__paysplits') }} as paysplits
inner join {{ ref('stg_opendental__payments') }} as payments
    on paysplits.payment_id = payments.payment_id
where paysplits.payment_date <> payments.payment_date
