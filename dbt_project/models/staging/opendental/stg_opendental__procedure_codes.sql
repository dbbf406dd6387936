with

source as (

    select * from {{ source('opendental', 'procedurecode') }}

),

renamed as (

    select
        -- ids
        code_num as procedure_code_id,
        {{ clean_od_fk('proc_cat') }} as procedure_category_definition_id,
        {{ clean_od_fk('prov_num_default') }} as default_provider_id,

        -- strings
        nullif(proc_code, '') as procedure_code,
        nullif(descript, '') as description,
        nullif(abbr_desc, '') as abbreviated_description,
        nullif(proc_time, '') as time_pattern,
        {{ decode_enum('treat_area', 'TreatmentArea') }} as treatment_area,
        nullif(default_note, '') as default_note,
        nullif(alternate_code1, '') as alternate_code_1,
        nullif(medical_code, '') as medical_code,
        {{ decode_enum('paint_type', 'ToothPaintingType') }} as paint_type,
        nullif(layman_term, '') as layman_term,
        nullif(substitution_code, '') as substitution_code,
        {{ decode_enum('subst_only_if', 'SubstitutionCondition') }} as substitution_condition,
        nullif(drug_ndc, '') as drug_ndc,
        nullif(revenue_code_default, '') as default_revenue_code,
        nullif(default_claim_note, '') as default_claim_note,
        nullif(default_tp_note, '') as default_treatment_plan_note,
        {{ decode_enum('bypass_global_lock', 'BypassLockStatus') }} as bypass_global_lock,
        nullif(tax_code, '') as tax_code,
        nullif(paint_text, '') as paint_text,
        nullif(diagnostic_codes, '') as diagnostic_codes,

        -- numerics
        graphic_color,
        base_units,
        canada_time_units,

        -- booleans
        {{ od_bool('no_bill_ins') }} as is_not_billed_to_insurance,
        {{ od_bool('is_prosth') }} as is_prosthesis,
        {{ od_bool('is_hygiene') }} as is_hygiene,
        {{ od_bool('is_taxed') }} as is_taxed,
        {{ od_bool('is_canadian_lab') }} as is_canadian_lab,
        {{ od_bool('pre_existing') }} as is_pre_existing,
        {{ od_bool('is_radiology') }} as is_radiology,
        {{ od_bool('area_also_tooth_range') }} as is_area_also_tooth_range,

        -- timestamps
        date_t_stamp as updated_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
