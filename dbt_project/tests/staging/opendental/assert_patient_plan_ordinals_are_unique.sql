-- Business rule: a patient has at most one plan per ordinal (one primary, one secondary, ...). Coordination of
-- benefits and the claim's insurance order follow the ordinal.
-- OpenDental's own check: DatabaseMaintenances.PatPlanOrdinalDuplicates (manual fix).
{{ config(tags=['rule_business_rules']) }}

select
    patient_id,
    ordinal,
    count(*) as plan_count
from {{ ref('stg_opendental__patient_plans') }}
group by patient_id, ordinal
having count(*) > 1
