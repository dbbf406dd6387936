-- Business rule: an appointment on the schedule has a length, and the patient is not dismissed before being
-- seated nor seated before arriving. Chair time, utilisation and wait-time reports depend on it. OpenDental
-- only uses the time of day of arrived/seated/dismissed (the date part is "largely ignored"), so the times
-- of day are compared.
-- A time of day of 00:00 is OpenDental's "not set" (clean_od_clock_time makes it NULL), so an appointment seated
-- but not yet dismissed passes. OpenDental's own checks: DatabaseMaintenances.AppointmentsNoPattern (no length)
-- and AppointmentsEndingOnDifferentDay.
{{ config(tags=['rule_business_rules']) }}

select
    appointment_id,
    appointment_status,
    scheduled_at,
    length_minutes,
    arrived_at,
    seated_at,
    dismissed_at
from {{ ref('stg_opendental__appointments') }}
where
    (appointment_status in ('Scheduled', 'Complete', 'ASAP', 'Broken') and coalesce(length_minutes, 0) <= 0)
    or cast(dismissed_at as time) < cast(seated_at as time)
    or cast(seated_at as time) < cast(arrived_at as time)
