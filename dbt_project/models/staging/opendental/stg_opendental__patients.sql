with

source as (

    select * from {{ source('opendental', 'patient') }}

),

renamed as (

    select
        -- ids
        pat_num as patient_id,
        {{ clean_od_fk('guarantor') }} as guarantor_patient_id,
        {{ clean_od_fk('pri_prov') }} as primary_provider_id,
        {{ clean_od_fk('sec_prov') }} as secondary_provider_id,
        {{ clean_od_fk('fee_sched') }} as fee_schedule_id,
        {{ clean_od_fk('billing_type') }} as billing_type_definition_id,
        {{ clean_od_fk('employer_num') }} as employer_id,
        {{ clean_od_fk('clinic_num') }} as clinic_id,
        {{ clean_od_fk('site_num') }} as site_id,
        {{ clean_od_fk('respons_party') }} as responsible_party_patient_id,
        {{ clean_od_fk('super_family') }} as super_family_patient_id,
        {{ clean_od_fk('sec_user_num_entry') }} as entry_user_id,

        -- strings
        nullif(l_name, '') as last_name,
        nullif(f_name, '') as first_name,
        nullif(middle_i, '') as middle_initial,
        nullif(preferred, '') as preferred_name,
        {{ decode_enum('pat_status', 'PatientStatus') }} as patient_status,
        {{ decode_enum('gender', 'PatientGender') }} as gender,
        {{ decode_enum('position', 'PatientPosition') }} as marital_status,
        nullif(ssn, '') as ssn,
        nullif(address, '') as address_line_1,
        nullif(address2, '') as address_line_2,
        nullif(city, '') as city,
        nullif(state, '') as state,
        nullif(zip, '') as zip_code,
        nullif(hm_phone, '') as home_phone,
        nullif(wk_phone, '') as work_phone,
        nullif(wireless_phone, '') as wireless_phone,
        nullif(credit_type, '') as credit_type,
        nullif(email, '') as email,
        nullif(salutation, '') as salutation,
        nullif(image_folder, '') as image_folder,
        nullif(addr_note, '') as address_note,
        nullif(fam_fin_urg_note, '') as family_financial_urgent_note,
        nullif(med_urg_note, '') as medical_urgent_note,
        nullif(appt_mod_note, '') as appointment_module_note,
        {{ decode_enum('student_status', 'StudentStatus') }} as student_status,
        nullif(school_name, '') as school_name,
        nullif(chart_number, '') as chart_number,
        nullif(medicaid_id, '') as medicaid_number,
        nullif(county, '') as county,
        {{ decode_enum('grade_level', 'PatientGrade') }} as grade_level,
        {{ decode_enum('urgency', 'TreatmentUrgency') }} as treatment_urgency,
        nullif(ward, '') as ward,
        {{ decode_enum('prefer_confirm_method', 'ContactMethod') }} as preferred_confirm_method,
        {{ decode_enum('prefer_contact_method', 'ContactMethod') }} as preferred_contact_method,
        {{ decode_enum('prefer_recall_method', 'ContactMethod') }} as preferred_recall_method,
        nullif(language, '') as primary_language,
        nullif(title, '') as title,
        {{ decode_enum('prefer_contact_confidential', 'ContactMethod') }} as preferred_confidential_contact_method,
        {{ decode_enum('txt_msg_ok', 'YN') }} as text_message_ok,
        nullif(smoking_sno_med, '') as smoking_snomed_code,
        nullif(country, '') as country,
        {{ decode_enum('short_code_opt_in', 'YN') }} as short_code_opt_in,

        -- numerics
        {{ od_money('est_balance') }} as estimated_balance,
        {{ od_money('bal_0_30') }} as balance_0_30,
        {{ od_money('bal_31_60') }} as balance_31_60,
        {{ od_money('bal_61_90') }} as balance_61_90,
        {{ od_money('bal_over90') }} as balance_over_90,
        {{ od_money('ins_est') }} as insurance_estimate_amount,
        {{ od_money('bal_total') }} as balance_total,
        sched_day_of_week as scheduling_day_of_week,
        {{ od_money('pay_plan_due') }} as payment_plan_due_amount,
        canadian_eligibility_code,
        ask_to_arrive_early as ask_to_arrive_early_minutes,
        billing_cycle_day,

        -- booleans
        {{ od_bool('planned_is_done') }} as is_planned_done,
        {{ od_bool('premed') }} as is_premedication_required,
        {{ od_bool('has_super_billing') }} as has_super_billing,
        {{ od_bool('has_signed_til') }} as has_signed_truth_in_lending,
        pat_status = 4 as is_deleted,

        -- dates
        {{ clean_od_date('birthdate') }} as birth_date,
        {{ clean_od_date('date_first_visit') }} as first_visit_date,
        {{ clean_od_date('admit_date') }} as admit_date,
        {{ clean_od_date('sec_date_entry') }} as entry_date,

        -- timestamps
        date_t_stamp as updated_at,
        {{ clean_od_date('date_time_deceased') }} as deceased_at,

        -- intervals
        {{ od_time('sched_before_time') }} as scheduling_before_time,
        {{ od_time('sched_after_time') }} as scheduling_after_time,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
