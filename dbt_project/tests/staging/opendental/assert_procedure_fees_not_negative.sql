-- Business rule: a procedure's fee is never negative. Production is fee x units; a negative fee would
-- silently reduce a provider's production. Discounts belong in adjustments or in the discount column.
{{ config(tags=['rule_business_rules']) }}

select
    procedure_id,
    patient_id,
    procedure_status,
    procedure_fee
from {{ ref('stg_opendental__procedures') }}
where procedure_fee < 0
