with

source as (

    select * from {{ source('opendental', 'procedurelog') }}

),

renamed as (

    select
        -- ids
        proc_num as procedure_id,
        {{ clean_od_fk('pat_num') }} as patient_id,
        {{ clean_od_fk('apt_num') }} as appointment_id,
        {{ clean_od_fk('priority') }} as priority_definition_id,
        {{ clean_od_fk('prov_num') }} as provider_id,
        {{ clean_od_fk('dx') }} as diagnosis_definition_id,
        {{ clean_od_fk('planned_apt_num') }} as planned_appointment_id,
        {{ clean_od_fk('clinic_num') }} as clinic_id,
        {{ clean_od_fk('proc_num_lab') }} as lab_procedure_id,
        {{ clean_od_fk('billing_type_one') }} as primary_billing_type_definition_id,
        {{ clean_od_fk('billing_type_two') }} as secondary_billing_type_definition_id,
        {{ clean_od_fk('code_num') }} as procedure_code_id,
        {{ clean_od_fk('site_num') }} as site_id,
        {{ clean_od_fk('prognosis') }} as prognosis_definition_id,
        {{ clean_od_fk('statement_num') }} as statement_id,
        {{ clean_od_fk('repeat_charge_num') }} as repeat_charge_id,
        {{ clean_od_fk('prov_order_override') }} as order_override_provider_id,
        {{ clean_od_fk('sec_user_num_entry') }} as entry_user_id,
        {{ clean_od_fk('ordering_referral_num') }} as ordering_referral_id,

        -- strings
        nullif(surf, '') as surface,
        nullif(tooth_num, '') as tooth_number,
        nullif(tooth_range, '') as tooth_range,
        {{ decode_enum('proc_status', 'ProcStat') }} as procedure_status,
        {{ decode_enum('place_service', 'PlaceOfService') }} as place_of_service,
        {{ decode_enum('prosthesis', 'Prosthesis') }} as prosthesis,
        nullif(claim_note, '') as claim_note,
        nullif(medical_code, '') as medical_code,
        nullif(diagnostic_code, '') as diagnostic_code,
        nullif(code_mod1, '') as code_modifier_1,
        nullif(code_mod2, '') as code_modifier_2,
        nullif(code_mod3, '') as code_modifier_3,
        nullif(code_mod4, '') as code_modifier_4,
        nullif(rev_code, '') as revenue_code,
        nullif(canadian_type_codes, '') as canadian_type_codes,
        {{ decode_enum('drug_unit', 'EnumProcDrugUnit') }} as drug_unit,
        {{ decode_enum('unit_qty_type', 'ProcUnitQtyType') }} as unit_quantity_type,
        nullif(billing_note, '') as billing_note,
        nullif(snomed_body_site, '') as snomed_body_site,
        nullif(diagnostic_code2, '') as diagnostic_code_2,
        nullif(diagnostic_code3, '') as diagnostic_code_3,
        nullif(diagnostic_code4, '') as diagnostic_code_4,
        {{ decode_enum('urgency', 'ProcUrgency') }} as urgency,

        -- numerics
        {{ od_money('proc_fee') }} as procedure_fee,
        unit_qty as unit_quantity,
        base_units,
        -- production: the fee is per unit (OpenDental's reports sum ProcFee * (UnitQty + BaseUnits))
        cast(round(cast(proc_fee * (unit_qty + base_units) as numeric), 2) as numeric(12, 2)) as production_amount,
        start_time as start_time_military,
        stop_time as stop_time_military,
        drug_qty as drug_quantity,
        {{ od_money('discount') }} as discount_amount,
        icd_version,
        {{ od_money('tax_amt') }} as tax_amount,
        {{ od_money('discount_plan_amt') }} as discount_plan_amount,

        -- booleans
        coalesce(proc_status = 6, false) as is_deleted,
        {{ od_bool('is_princ_diag') }} as is_principal_diagnosis,
        {{ od_bool('hide_graphics') }} as is_graphics_hidden,
        {{ od_bool('is_locked') }} as is_locked,
        {{ od_bool('is_date_prosth_est') }} as is_prosthesis_date_estimated,
        {{ od_bool('is_cpoe') }} as is_cpoe,

        -- dates
        {{ clean_od_date('proc_date') }} as procedure_date,
        {{ clean_od_date('date_original_prosth') }} as original_prosthesis_date,
        {{ clean_od_date('date_entry_c') }} as entered_or_completed_date,
        {{ clean_od_date('date_tp') }} as treatment_planned_date,
        {{ clean_od_date('date_complete') }} as completed_date,

        -- timestamps
        date_t_stamp as updated_at,
        {{ clean_od_date('sec_date_entry') }} as entered_at,

        -- intervals
        {{ od_time('proc_time') }} as procedure_time,
        {{ od_time('proc_time_end') }} as procedure_end_time,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
