-- Business rule: a completed procedure has a service date, and it is not in the future. Production and
-- collections reports are dated by procedure_date; OpenDental does not let a procedure be set complete in the
-- future (one day of slack for time zones).
{{ config(tags=['rule_business_rules']) }}

select
    procedure_id,
    patient_id,
    procedure_date
from {{ ref('stg_opendental__procedures') }}
where
    procedure_status = 'Complete'
    and (procedure_date is null or procedure_date > current_date + 1)
