with

source as (

    select * from {{ source('opendental', 'claim') }}

),

renamed as (

    select
        -- ids
        claim_num as claim_id,
        {{ clean_od_fk('pat_num') }} as patient_id,
        {{ clean_od_fk('plan_num') }} as insurance_plan_id,
        {{ clean_od_fk('prov_treat') }} as treating_provider_id,
        {{ clean_od_fk('prov_bill') }} as billing_provider_id,
        {{ clean_od_fk('referring_prov') }} as referring_referral_id,
        {{ clean_od_fk('plan_num2') }} as secondary_insurance_plan_id,
        {{ clean_od_fk('clinic_num') }} as clinic_id,
        {{ clean_od_fk('claim_form') }} as claim_form_id,
        {{ clean_od_fk('ins_sub_num') }} as insurance_subscriber_id,
        {{ clean_od_fk('ins_sub_num2') }} as secondary_insurance_subscriber_id,
        {{ clean_od_fk('custom_tracking') }} as custom_tracking_definition_id,
        {{ clean_od_fk('prov_order_override') }} as order_override_provider_id,
        {{ clean_od_fk('sec_user_num_entry') }} as entry_user_id,
        {{ clean_od_fk('ordering_referral_num') }} as ordering_referral_id,

        -- strings
        {{ decode_enum('claim_status', 'ClaimStatus') }} as claim_status,
        nullif(pre_auth_string, '') as preauthorization_number,
        nullif(is_prosthesis, '') as prosthesis_code,
        nullif(reason_under_paid, '') as reason_underpaid,
        nullif(claim_note, '') as claim_note,
        {{ decode_enum('claim_type', 'ClaimType') }} as claim_type,
        nullif(ref_num_string, '') as referral_number,
        {{ decode_enum('place_service', 'PlaceOfService') }} as place_of_service,
        nullif(accident_related, '') as accident_related_code,
        nullif(accident_st, '') as accident_state,
        {{ decode_enum('employ_related', 'YN') }} as employment_related,
        {{ decode_enum('pat_relat', 'Relat') }} as patient_relationship,
        {{ decode_enum('pat_relat2', 'Relat') }} as secondary_patient_relationship,
        nullif(attached_flags, '') as attached_flags,
        nullif(attachment_id, '') as attachment_reference,
        nullif(canadian_materials_forwarded, '') as canadian_materials_forwarded,
        nullif(canadian_referral_provider_num, '') as canadian_referral_provider_num,
        nullif(canadian_is_initial_lower, '') as canadian_is_initial_lower,
        nullif(canadian_is_initial_upper, '') as canadian_is_initial_upper,
        nullif(canada_trans_ref_num, '') as canada_transaction_reference,
        nullif(prior_authorization_number, '') as prior_authorization_number,
        {{ decode_enum('special_program_code', 'EnumClaimSpecialProgram') }} as special_program,
        nullif(uniform_bill_type, '') as uniform_bill_type,
        {{ decode_enum('med_type', 'EnumClaimMedType') }} as medical_type,
        nullif(admission_type_code, '') as admission_type_code,
        nullif(admission_source_code, '') as admission_source_code,
        nullif(patient_status_code, '') as patient_status_code,
        {{ decode_enum('correction_type', 'ClaimCorrectionType') }} as correction_type,
        nullif(claim_identifier, '') as claim_identifier,
        nullif(orig_ref_num, '') as original_reference_number,
        {{ decode_enum('date_illness_injury_preg_qualifier', 'DateIllnessInjuryPregQualifier') }}
            as illness_injury_pregnancy_date_qualifier,
        {{ decode_enum('date_other_qualifier', 'DateOtherQualifier') }} as other_date_qualifier,
        nullif(narrative, '') as narrative,

        -- numerics
        {{ od_money('claim_fee') }} as claim_fee,
        {{ od_money('ins_pay_est') }} as insurance_payment_estimate,
        {{ od_money('ins_pay_amt') }} as insurance_paid_amount,
        {{ od_money('ded_applied') }} as deductible_applied_amount,
        ortho_remain_m as ortho_remaining_months,
        {{ od_money('write_off') }} as write_off_amount,
        radiographs as radiograph_count,
        attached_images as attached_image_count,
        attached_models as attached_model_count,
        canadian_referral_reason,
        canadian_mand_prosth_material,
        canadian_max_prosth_material,
        {{ od_money('canada_initial_payment') }} as canada_initial_payment_amount,
        canada_payment_mode,
        canada_treat_duration,
        canada_num_anticipated_payments as canada_anticipated_payment_count,
        {{ od_money('canada_anticipated_pay_amount') }} as canada_anticipated_payment_amount,
        ortho_total_m as ortho_total_months,
        {{ od_money('share_of_cost') }} as share_of_cost_amount,

        -- booleans
        {{ od_bool('is_ortho') }} as is_ortho,
        {{ od_bool('is_outside_lab') }} as is_outside_lab,

        -- dates
        {{ clean_od_date('date_service') }} as service_date,
        {{ clean_od_date('date_sent') }} as sent_date,
        {{ clean_od_date('date_received') }} as received_date,
        {{ clean_od_date('prior_date') }} as prior_prosthesis_date,
        {{ clean_od_date('accident_date') }} as accident_date,
        {{ clean_od_date('ortho_date') }} as ortho_date,
        {{ clean_od_date('canadian_date_initial_lower') }} as canadian_initial_lower_date,
        {{ clean_od_date('canadian_date_initial_upper') }} as canadian_initial_upper_date,
        {{ clean_od_date('canada_est_treat_start_date') }} as canada_estimated_treatment_start_date,
        {{ clean_od_date('date_resent') }} as resent_date,
        {{ clean_od_date('sec_date_entry') }} as entry_date,
        {{ clean_od_date('date_sent_orig') }} as original_sent_date,
        {{ clean_od_date('date_illness_injury_preg') }} as illness_injury_pregnancy_date,
        {{ clean_od_date('date_other') }} as other_date,

        -- timestamps
        sec_date_t_edit as updated_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
