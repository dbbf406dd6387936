-- Business rule: every patient belongs to a family whose guarantor exists and heads it (the guarantor is its
-- own guarantor). Statements, family balances and aging are kept on the guarantor's row; a patient whose
-- guarantor is missing has a balance nobody is billed for.
-- OpenDental's own check: DatabaseMaintenances.PatientBadGuarantor.
{{ config(tags=['rule_business_rules']) }}

select
    patients.patient_id,
    patients.guarantor_patient_id,
    guarantors.guarantor_patient_id as guarantors_guarantor_id
from {{ ref('stg_opendental__patients') }} as patients
left join {{ ref('stg_opendental__patients') }} as guarantors
    on patients.guarantor_patient_id = guarantors.patient_id
where
    patients.guarantor_patient_id is null
    or guarantors.patient_id is null
    or guarantors.guarantor_patient_id is distinct from guarantors.patient_id
