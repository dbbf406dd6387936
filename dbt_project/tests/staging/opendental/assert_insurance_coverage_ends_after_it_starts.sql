-- Business rule: a subscriber's coverage does not end before it starts. Eligibility and benefit estimates
-- use effective and termination dates; a reversed pair makes the patient look uninsured.
-- OpenDental has no maintenance check for it.
{{ config(tags=['rule_business_rules']) }}

select
    insurance_subscriber_id,
    subscriber_patient_id,
    effective_date,
    termination_date
from {{ ref('stg_opendental__insurance_subscribers') }}
where termination_date < effective_date
