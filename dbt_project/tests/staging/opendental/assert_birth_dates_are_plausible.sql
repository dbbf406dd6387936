-- Business rule: a patient's birth date is not after their first visit. Age drives recall intervals, fluoride
-- and sealant eligibility, and insurance frequency limits. (A birth date in the future or before 1900 is caught
-- by dbt-expectations' expect_column_values_to_be_between on stg_opendental__patients.birth_date.)
-- OpenDental has no maintenance check for it.
{{ config(tags=['rule_business_rules']) }}

select
    patient_id,
    birth_date,
    first_visit_date
from {{ ref('stg_opendental__patients') }}
where birth_date > first_visit_date
