with

source as (

    select * from {{ source('opendental', 'benefit') }}

),

renamed as (

    select
        -- ids
        benefit_num as benefit_id,
        {{ clean_od_fk('plan_num') }} as insurance_plan_id,
        {{ clean_od_fk('pat_plan_num') }} as patient_plan_id,
        {{ clean_od_fk('cov_cat_num') }} as coverage_category_id,
        {{ clean_od_fk('code_num') }} as procedure_code_id,
        {{ clean_od_fk('code_group_num') }} as code_group_id,

        -- strings
        {{ decode_enum('benefit_type', 'InsBenefitType') }} as benefit_type,
        {{ decode_enum('time_period', 'BenefitTimePeriod') }} as time_period,
        {{ decode_enum('quantity_qualifier', 'BenefitQuantity') }} as quantity_qualifier,
        {{ decode_enum('coverage_level', 'BenefitCoverageLevel') }} as coverage_level,
        {{ decode_enum('treat_area', 'TreatmentArea') }} as treatment_area,

        -- numerics
        nullif(percent, -1) as coverage_percent,
        {{ od_money('monetary_amt', blank_sentinel=-1) }} as monetary_amount,
        quantity,

        -- timestamps
        {{ clean_od_date('sec_date_t_entry') }} as entered_at,
        sec_date_t_edit as updated_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
