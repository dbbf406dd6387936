-- Business rule: a completed procedure has a service date, and it is not in the future unless the practice allows
-- future-dated transactions. Production and collections reports are dated by procedure_date.
-- OpenDental: only EO procedures may have no date (FormProcEdit); completing a procedure in the future is refused
-- unless the preference FutureTransDatesAllowed is on (Procedures.EntriesAreValid), and its maintenance check
-- DatabaseMaintenances.TransactionsWithFutureDates is skipped while that preference is on. One day of slack for
-- time zones.
{{ config(tags=['rule_business_rules']) }}

with future_dates_allowed as (

    select coalesce(bool_or(preference_value = '1'), false) as is_allowed
    from {{ ref('stg_opendental__preferences') }}
    where preference_name = 'FutureTransDatesAllowed'

)

select
    procs.procedure_id,
    procs.patient_id,
    procs.procedure_date
from {{ ref('stg_opendental__procedures') }} as procs
cross join future_dates_allowed
where
    procs.procedure_status = 'Complete'
    and not procs.is_deleted
    and (
        procs.procedure_date is null
        or (procs.procedure_date > current_date + 1 and not future_dates_allowed.is_allowed)
    )
