with

source as (

    select * from {{ source('opendental', 'insplan') }}

),

renamed as (

    select
        -- ids
        plan_num as insurance_plan_id,
        {{ clean_od_fk('fee_sched') }} as fee_schedule_id,
        {{ clean_od_fk('claim_form_num') }} as claim_form_id,
        {{ clean_od_fk('copay_fee_sched') }} as copay_fee_schedule_id,
        {{ clean_od_fk('employer_num') }} as employer_id,
        {{ clean_od_fk('carrier_num') }} as carrier_id,
        {{ clean_od_fk('allowed_fee_sched') }} as allowed_fee_schedule_id,
        {{ clean_od_fk('filing_code') }} as filing_code_id,
        {{ clean_od_fk('filing_code_subtype') }} as filing_code_subtype_id,
        {{ clean_od_fk('sec_user_num_entry') }} as entry_user_id,
        {{ clean_od_fk('ortho_auto_proc_code_num_override') }} as ortho_auto_procedure_code_override_id,
        {{ clean_od_fk('billing_type') }} as billing_type_definition_id,
        {{ clean_od_fk('manual_fee_sched_num') }} as manual_fee_schedule_id,

        -- strings
        nullif(group_name, '') as group_name,
        nullif(group_num, '') as group_number,
        nullif(plan_note, '') as plan_note,
        {{ decode_enum('plan_type', 'PlanType') }} as plan_type,
        nullif(trojan_id, '') as trojan_number,
        nullif(division_no, '') as division_number,
        nullif(canadian_plan_flag, '') as canadian_plan_flag,
        nullif(canadian_diagnostic_code, '') as canadian_diagnostic_code,
        nullif(canadian_institution_code, '') as canadian_institution_code,
        nullif(rx_bin, '') as rx_bin,
        {{ decode_enum('cob_rule', 'EnumCobRule') }} as cob_rule,
        nullif(sop_code, '') as sop_code,
        {{ decode_enum('ortho_type', 'OrthoClaimType') }} as ortho_type,
        {{ decode_enum('ortho_auto_proc_freq', 'OrthoAutoProcFrequency') }} as ortho_auto_procedure_frequency,
        {{ decode_enum('exclusion_fee_rule', 'ExclusionRule') }} as exclusion_fee_rule,
        {{ decode_enum('ins_plans_zero_write_offs_on_annual_max_override', 'YN') }}
            as zero_write_offs_on_annual_max_override,
        {{ decode_enum('ins_plans_zero_write_offs_on_freq_or_aging_override', 'YN') }}
            as zero_write_offs_on_frequency_or_aging_override,

        -- numerics
        dentaide_card_sequence,
        month_renew as renewal_month,
        {{ od_money('ortho_auto_fee_billed') }} as ortho_auto_fee_billed,
        ortho_auto_claim_days_wait,
        {{ od_money('per_visit_pat_amount') }} as per_visit_patient_amount,
        {{ od_money('per_visit_ins_amount') }} as per_visit_insurance_amount,

        -- booleans
        {{ od_bool('use_alt_code') }} as is_alternate_code_used,
        {{ od_bool('claims_use_ucr') }} as is_ucr_fee_billed_on_claims,
        {{ od_bool('is_medical') }} as is_medical,
        {{ od_bool('show_base_units') }} as is_base_units_shown,
        {{ od_bool('code_subst_none') }} as is_code_substitution_disabled,
        {{ od_bool('is_hidden') }} as is_hidden,
        {{ od_bool('hide_from_verify_list') }} as is_hidden_from_verify_list,
        {{ od_bool('has_ppo_subst_writeoffs') }} as has_ppo_substitution_writeoffs,
        {{ od_bool('is_blue_book_enabled') }} as is_blue_book_enabled,

        -- dates
        {{ clean_od_date('sec_date_entry') }} as entry_date,

        -- timestamps
        sec_date_t_edit as updated_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
