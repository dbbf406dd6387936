with

source as (

    select * from {{ source('opendental', 'histappointment') }}

),

renamed as (

    select
        -- ids
        hist_appt_num as appointment_history_entry_id,
        {{ clean_od_fk('hist_user_num') }} as history_user_id,
        {{ clean_od_fk('apt_num') }} as appointment_id,
        {{ clean_od_fk('pat_num') }} as patient_id,
        {{ clean_od_fk('confirmed') }} as confirmation_definition_id,
        {{ clean_od_fk('op') }} as operatory_id,
        {{ clean_od_fk('prov_num') }} as provider_id,
        {{ clean_od_fk('prov_hyg') }} as hygienist_provider_id,
        {{ clean_od_fk('next_apt_num') }} as next_appointment_id,
        {{ clean_od_fk('unsched_status') }} as unscheduled_status_definition_id,
        {{ clean_od_fk('assistant') }} as assistant_employee_id,
        {{ clean_od_fk('clinic_num') }} as clinic_id,
        {{ clean_od_fk('ins_plan1') }} as primary_insurance_plan_id,
        {{ clean_od_fk('ins_plan2') }} as secondary_insurance_plan_id,
        {{ clean_od_fk('appointment_type_num') }} as appointment_type_id,
        {{ clean_od_fk('sec_user_num_entry') }} as entry_user_id,

        -- strings
        {{ decode_enum('hist_appt_action', 'HistAppointmentAction') }} as history_action,
        {{ decode_enum('appt_source', 'EServiceTypes') }} as change_source,
        {{ decode_enum('apt_status', 'ApptStatus') }} as appointment_status,
        nullif(pattern, '') as time_pattern,
        nullif(note, '') as note,
        nullif(proc_descript, '') as procedure_description,
        {{ decode_enum('priority', 'ApptPriority') }} as appointment_priority,
        nullif(prov_bar_text, '') as provider_bar_text,
        nullif(pattern_secondary, '') as secondary_time_pattern,

        -- numerics
        color_override,
        item_order_planned as planned_item_order,
        char_length(pattern) * 5 as length_minutes,

        -- booleans
        {{ od_bool('time_locked') }} as is_time_locked,
        {{ od_bool('is_new_patient') }} as is_new_patient,
        {{ od_bool('is_hygiene') }} as is_hygiene,

        -- timestamps
        {{ clean_od_date('hist_date_t_stamp') }} as history_recorded_at,
        {{ clean_od_date('apt_date_time') }} as scheduled_at,
        date_t_stamp as updated_at,
        {{ clean_od_clock_time('date_time_arrived') }} as arrived_at,
        {{ clean_od_clock_time('date_time_seated') }} as seated_at,
        {{ clean_od_clock_time('date_time_dismissed') }} as dismissed_at,
        {{ clean_od_date('date_time_asked_to_arrive') }} as asked_to_arrive_at,
        {{ clean_od_date('sec_date_t_entry') }} as entered_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
