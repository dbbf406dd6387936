-- Business rule: a patient payment has a date. Deposits, collections and end-of-day reports select payments by
-- date; a payment without one is missing from all of them.
-- Known exceptions: OpenDental databases hold zero dates (0000-00-00) in payment.PayDate (fresh installs even
-- default the column to it, and OpenDental runs with a non-strict sql_mode); the pipeline turns them into NULL
-- and counts them in _od_run_log.zero_dates_nulled. The demo source injects 0.05% (at least one). So: a warning
-- for any, an error when they exceed 1% of payments.
-- OpenDental's own check: DatabaseMaintenances.DatesNoZeros resets zero dates.
{{ config(tags=['rule_business_rules'], warn_if='> 0', error_if='> 0.01 * max(payments_checked)') }}

with checked as (

    select
        payment_id,
        patient_id,
        payment_amount,
        entry_date,
        payment_date,
        count(*) over () as payments_checked
    from {{ ref('stg_opendental__payments') }}

)

select
    payment_id,
    patient_id,
    payment_amount,
    entry_date,
    payments_checked
from checked
where payment_date is null
