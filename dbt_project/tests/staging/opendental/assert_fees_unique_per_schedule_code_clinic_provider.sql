-- Business rule: a fee schedule has one fee per procedure code, clinic and provider (OpenDental's logical key,
-- index FeeSchedCodeClinicProv). Two fees for the same key make the charged fee depend on which row is read.
-- OpenDental's own check: DatabaseMaintenances.FeeDeleteDuplicates.
{{ config(tags=['rule_business_rules']) }}

select
    fee_schedule_id,
    procedure_code_id,
    clinic_id,
    provider_id,
    count(*) as fees
from {{ ref('stg_opendental__fees') }}
group by fee_schedule_id, procedure_code_id, clinic_id, provider_id
having count(*) > 1
