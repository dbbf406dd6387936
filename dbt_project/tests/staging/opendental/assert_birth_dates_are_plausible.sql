-- Business rule: a patient's birth date is not in the future and not before their first visit. Age drives
-- recall intervals, fluoride and sealant eligibility, and insurance frequency limits.
{{ config(tags=['rule_business_rules']) }}

select
    patient_id,
    birth_date,
    first_visit_date
from {{ ref('stg_opendental__patients') }}
where
    birth_date > current_date
    or birth_date > first_visit_date
