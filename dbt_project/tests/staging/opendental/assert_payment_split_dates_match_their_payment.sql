-- Business rule: a payment split (OpenDental paysplit) is dated like its payment (OpenDental keeps DatePay in
-- step with PayDate). Income by provider is dated by the split and deposits by the payment; a drift moves income
-- between periods.
-- A payment without a date is reported by assert_payments_have_a_date.
-- OpenDental has no maintenance check for it: its payment window keeps every split's DatePay equal to the
-- payment's date (PaySplit.cs, FormPayment.cs).
{{ config(tags=['rule_business_rules']) }}

select
    payment_splits.payment_split_id,
    payment_splits.payment_id,
    payment_splits.payment_date as split_date,
    payments.payment_date
from {{ ref('stg_opendental__payment_splits') }} as payment_splits
inner join {{ ref('stg_opendental__payments') }} as payments
    on payment_splits.payment_id = payments.payment_id
where payment_splits.payment_date <> payments.payment_date
