-- Business rule: a completed procedure's fee is rarely negative. Production is fee x units, so a negative fee
-- lowers a provider's production. OpenDental allows it (the procedure window accepts fees down to -100,000,000,
-- FormProcEdit), and it has no maintenance check for it, so this is a warning, and an error only when negative
-- fees exceed 1% of completed procedures (then a fee schedule or a conversion is likely wrong).
{{ config(tags=['rule_business_rules'], warn_if='> 0', error_if='> 0.01 * max(completed_procedures)') }}

with completed as (

    select
        procedure_id,
        procedure_fee,
        count(*) over () as completed_procedures
    from {{ ref('stg_opendental__procedures') }}
    where procedure_status = 'Complete' and not is_deleted

)

select
    procedure_id,
    procedure_fee,
    completed_procedures
from completed
where procedure_fee < 0
